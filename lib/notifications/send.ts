/**
 * One webhook POST: the host resolved and every address checked (outside the sandbox), the request pinned to the
 * checked address (no second lookup a DNS rebinding could answer differently), 10 s for the whole exchange,
 * redirects not followed (a 3xx is a failure), and at most a few KB of the answer read.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isBlockedAddress } from "./webhook-url";

export const DELIVERY_TIMEOUT_MS = 10_000;
export const RESPONSE_BODY_CAP_BYTES = 4096;

export type SendOutcome = {
  ok: boolean;
  statusCode: number | null;
  /** A code for a failure: `http_<status>`, `redirect`, `timeout`, `blocked_address`, `dns`, `network`. */
  error: string | null;
  durationMs: number;
  /** The beginning of the receiver's answer, capped; only kept in memory for tests and logs. */
  bodyPreview: string;
};

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export async function postWebhook(args: {
  url: string;
  body: string;
  headers: Record<string, string>;
  allowPrivate: boolean;
  timeoutMs?: number;
  resolve?: Resolver;
}): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (error: string, statusCode: number | null = null): SendOutcome => ({
    ok: false,
    statusCode,
    error,
    durationMs: elapsed(),
    bodyPreview: "",
  });
  const url = new URL(args.url);
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (args.resolve ?? systemResolver)(hostname);
  } catch {
    return failure("dns");
  }
  if (addresses.length === 0) return failure("dns");
  // Every address the name resolves to must be allowed: a receiver does not get to pick the one we use.
  if (!args.allowPrivate && addresses.some((entry) => isBlockedAddress(entry.address)))
    return failure("blocked_address");
  const pinned = addresses[0]!;
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
  const timeoutMs = args.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const transport = url.protocol === "https:" ? https : http;
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = transport.request(
      {
        protocol: url.protocol,
        hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        lookup,
        // A fresh connection per delivery: nothing pooled can point elsewhere.
        agent: false,
        headers: {
          ...args.headers,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(args.body)),
          "user-agent": "ApicbasePartnerPortal-Webhooks/1",
        },
      },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const bodyPreview = Buffer.concat(chunks).toString("utf8").slice(0, RESPONSE_BODY_CAP_BYTES);
          const ok = statusCode >= 200 && statusCode < 300;
          const error = ok ? null : statusCode >= 300 && statusCode < 400 ? "redirect" : `http_${statusCode}`;
          settle({ ok, statusCode, error, durationMs: elapsed(), bodyPreview });
        };
        response.on("data", (chunk: Buffer) => {
          if (size >= RESPONSE_BODY_CAP_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
          // Enough: the rest of an answer is never read.
          if (size >= RESPONSE_BODY_CAP_BYTES) {
            finish();
            response.destroy();
          }
        });
        response.on("end", finish);
        response.on("error", finish);
        response.on("close", finish);
      },
    );
    const timer = setTimeout(() => {
      settle(failure("timeout"));
      request.destroy();
    }, timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) =>
      settle(failure(error.code === "ECONNREFUSED" ? "connection_refused" : "network")),
    );
    request.end(args.body);
  });
}
