/**
 * The token API on a bare node:http server (`npm run token-api`): the same router and handlers as the portal's
 * catch-all route under app/api/v1/, without Next.js's per-request cost, for deployments whose backends fetch tokens
 * at high rates. Whatever a client sends, the answer is JSON (or Apicbase's, through the proxy) and the process
 * keeps serving.
 */
import http from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { clientAddress } from "@/lib/attempts/address";
import { apiError } from "./http";
import type { TokenApiContext } from "./types";
import { failedKeyGuard } from "./failed-keys";
import { isStreamed } from "./proxy";
import { handleTokenApi } from "./router";

/** `trustProxy`: count failed API keys per X-Forwarded-For's last entry instead of the TCP peer (TRUST_PROXY=1). */
export function createTokenApiServer(ctx: TokenApiContext, options: { trustProxy?: boolean } = {}): http.Server {
  return http.createServer((incoming, outgoing) => {
    serve(ctx, incoming, outgoing, options.trustProxy ?? false).catch((error: unknown) => {
      console.error(`[token-api] could not answer: ${error instanceof Error ? error.message : String(error)}`);
      if (outgoing.headersSent) outgoing.destroy();
      else
        outgoing
          .writeHead(500, { "Content-Type": "application/json; charset=utf-8" })
          .end('{"error":"internal_error","message":"Something went wrong on the portal\'s side. Try again."}');
    });
  });
}

function toRequest(incoming: http.IncomingMessage): Request | null {
  let url: URL;
  try {
    url = new URL(`http://token-api.local${incoming.url?.startsWith("/") ? incoming.url : "/"}`);
  } catch {
    return null;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = incoming.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

async function serve(
  ctx: TokenApiContext,
  incoming: http.IncomingMessage,
  outgoing: http.ServerResponse,
  trustProxy: boolean,
): Promise<void> {
  const request = toRequest(incoming);
  // Failed API keys are limited per address (lib/token-api/failed-keys.ts).
  const forwarded = new Headers({ "x-forwarded-for": String(incoming.headers["x-forwarded-for"] ?? "") });
  const address = clientAddress(forwarded, { trustProxy, peer: incoming.socket.remoteAddress });
  const response = request
    ? await failedKeyGuard(ctx.db).run(address, () => handleTokenApi(ctx, request, { address }))
    : apiError(400, "invalid_request", "The request target is not a path.");
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body || incoming.method === "HEAD") {
    await response.body?.cancel().catch(() => {});
    outgoing.end();
    return;
  }
  if (!isStreamed(response)) {
    outgoing.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  const body = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  body.on("error", () => outgoing.destroy());
  outgoing.on("close", () => body.destroy());
  body.pipe(outgoing);
}
