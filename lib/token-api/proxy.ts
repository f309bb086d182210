/**
 * The Apicbase API proxy: `/api/v1/connections/{id}/apicbase/{path}` and `/api/v1/libraries/{library_id}/apicbase/
 * {path}`, any method, forwarded to Apicbase's API URL + path with the connection's access token. On a 401 the
 * connection is refreshed once (one refresh for all callers, any process) and the call retried once. Every process
 * keeps each application under Apicbase's rate limit together (apicbase-limit.ts) and honours a 429's Retry-After.
 * Request bodies are read up to a cap (kept so that the call can be retried after a refresh); answers stream through
 * with a cap. Each call is counted per key, connection and hour; no body, path or token is ever logged or stored.
 */
import { and, eq } from "drizzle-orm";
import { isApicbaseError } from "@/lib/apicbase/errors";
import { forwardApiCall, type Forwarded } from "@/lib/apicbase/forward";
import { parseRetryAfter, readUpTo } from "@/lib/apicbase/http";
import { openAccessToken } from "@/lib/connections/tokens";
import { connections, type ConnectionStatus } from "@/lib/db/schema";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import { isDraining } from "@/lib/lifecycle/single-flight";
import { connectionForLibrary, refreshContext, refreshFailure, statusRefusal } from "./api";
import { authenticate } from "./callers";
import { apiError, handled, notFound } from "./http";
import type { Caller, RequestMeta, TokenApiContext } from "./types";
import { countProxiedCall, pauseApicbaseCalls, takeApicbaseCall } from "./apicbase-limit";

export const PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export const PROXY_MAX_REQUEST_BYTES = 1024 * 1024;
export const PROXY_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Without a Retry-After, a 429 pauses the application's calls this long. */
const DEFAULT_PAUSE_SECONDS = 60;
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

type ProxyRoute =
  | { name: "connection_proxy"; connectionId: string; rest: string }
  | { name: "library_proxy"; libraryId: number; rest: string };

type ProxyRow = {
  id: string;
  organizationId: string;
  applicationId: string;
  status: ConnectionStatus;
  tokenVersion: number;
  accessTokenCiphertext: string | null;
  accessTokenExpiresAt: Date | null;
};

async function proxyRow(
  ctx: TokenApiContext,
  organizationId: string,
  connectionId: string,
): Promise<ProxyRow | undefined> {
  const [row] = await ctx.db
    .select({
      id: connections.id,
      organizationId: connections.organizationId,
      applicationId: connections.applicationId,
      status: connections.status,
      tokenVersion: connections.tokenVersion,
      accessTokenCiphertext: connections.accessTokenCiphertext,
      accessTokenExpiresAt: connections.accessTokenExpiresAt,
    })
    .from(connections)
    .where(and(eq(connections.id, connectionId), eq(connections.organizationId, organizationId)));
  return row;
}

const tooLarge = (max: number) =>
  apiError(
    413,
    "payload_too_large",
    `The request body is larger than the ${max} bytes the portal forwards to Apicbase.`,
  );

/** The request's body, read up to the cap (an oversized one is refused without reading it all); null for none. */
async function requestBody(request: Request, max: number): Promise<Uint8Array<ArrayBuffer> | null | Response> {
  if (request.method === "GET" || request.method === "HEAD" || !request.body) return null;
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) return tooLarge(max);
  const body = await readUpTo(request.body, max);
  if (body === "too_large") return tooLarge(max);
  return body.byteLength === 0 ? null : body;
}

function upstreamFailure(error: unknown): Response {
  if (isApicbaseError(error) && error.code === "invalid_response" && error.status !== undefined) {
    return apiError(502, "payload_too_large", `${error.message}.`);
  }
  const message = isApicbaseError(error) ? error.message : "Apicbase's API could not be reached";
  const status = isApicbaseError(error) && error.code === "timeout" ? 504 : 502;
  return apiError(status, "apicbase_unavailable", `${message}. Try again later.`, { "Retry-After": "5" });
}

/** Answers whose body streams from Apicbase (a server must pipe them rather than buffer them). */
const streamed = new WeakSet<Response>();
export const isStreamed = (response: Response) => streamed.has(response);

function passBack(forwarded: Forwarded): Response {
  const headers = new Headers(forwarded.headers);
  headers.set("cache-control", "no-store");
  // Tells Apicbase's own answers (any status) from the portal's errors.
  headers.set("apicbase-forwarded", "1");
  if (NULL_BODY_STATUSES.has(forwarded.status)) {
    void forwarded.body?.cancel().catch(() => {});
    return new Response(null, { status: forwarded.status, headers });
  }
  const response = new Response(forwarded.body, { status: forwarded.status, headers });
  streamed.add(response);
  return response;
}

export function proxyResponse(
  ctx: TokenApiContext,
  request: Request,
  route: ProxyRoute,
  meta: RequestMeta,
): Promise<Response> {
  return handled(async () => {
    const settings = ctx.proxy;
    const caller = await authenticate(ctx, request, "proxy", meta);
    if (caller instanceof Response) return caller;
    let connectionId: string;
    if (route.name === "library_proxy") {
      const found = await connectionForLibrary(ctx, caller, route.libraryId);
      if (found instanceof Response) return found;
      connectionId = found.id;
    } else {
      connectionId = route.connectionId;
    }
    // Another organization's connection answers exactly like a missing one.
    let row = await proxyRow(ctx, caller.organizationId, connectionId);
    if (!row) return notFound();
    const refusal = statusRefusal(row.status);
    if (refusal) return refusal;
    // A process that is stopping starts no new call to Apicbase: the caller retries on another process.
    if (isDraining()) {
      return apiError(503, "shutting_down", "The portal is restarting: try again in a few seconds.", {
        "Retry-After": "5",
      });
    }
    const body = await requestBody(request, settings.maxRequestBytes);
    if (body instanceof Response) return body;

    const count = (failed: boolean) =>
      countProxiedCall(ctx.db, {
        apiKeyId: caller.keyId,
        connectionId,
        organizationId: caller.organizationId,
        at: ctx.now(),
        failed,
      }).catch((error: unknown) =>
        console.error(`[token-api] could not count a proxied call: ${error instanceof Error ? error.message : error}`),
      );

    const search = new URL(request.url).search;
    for (let attempt = 1; ; attempt++) {
      if (!row.accessTokenExpiresAt || row.accessTokenExpiresAt <= ctx.now()) {
        // An expired token would only earn a 401: refresh first (shared with every other caller).
        const refreshed = await refresh(ctx, caller, row, { kind: "api", minValidMs: 60_000 });
        if (refreshed instanceof Response) return count(true).then(() => refreshed);
        row = refreshed;
      }
      const accessToken = openAccessToken(ctx.keyring, row);
      if (!accessToken) {
        await count(true);
        return apiError(
          409,
          "needs_reauthorization",
          "This connection holds no access token: re-authorize it in the portal.",
        );
      }
      const wait = await takeApicbaseCall(ctx.db, row.applicationId, ctx.now(), settings.ratePerMinute);
      if (wait !== null) {
        await count(true);
        return apiError(
          429,
          "rate_limited",
          `The portal keeps this application under Apicbase's rate limit. Try again in ${wait} seconds.`,
          { "Retry-After": String(wait) },
        );
      }
      let forwarded: Forwarded;
      try {
        forwarded = await forwardApiCall(
          { method: request.method, path: route.rest, search, headers: request.headers, body, accessToken },
          {
            apiUrl: settings.apiUrl,
            timeoutMs: settings.timeoutMs,
            maxResponseBytes: settings.maxResponseBytes,
            fetch: settings.fetch,
          },
        );
      } catch (error) {
        await count(true);
        return upstreamFailure(error);
      }
      if (forwarded.status === 401 && attempt === 1) {
        // Apicbase refused the token (revoked, or deleted there): one refresh, one retry.
        await forwarded.body?.cancel().catch(() => {});
        const refreshed = await refresh(ctx, caller, row, { kind: "rejected", tokenVersion: row.tokenVersion });
        if (refreshed instanceof Response) return count(true).then(() => refreshed);
        row = refreshed;
        continue;
      }
      if (forwarded.status === 429) {
        const seconds =
          parseRetryAfter(forwarded.headers.get("retry-after"), ctx.now().getTime()) ?? DEFAULT_PAUSE_SECONDS;
        await pauseApicbaseCalls(ctx.db, row.applicationId, new Date(ctx.now().getTime() + seconds * 1000));
        forwarded.headers.set("retry-after", String(seconds));
      }
      await count(forwarded.status >= 400);
      return passBack(forwarded);
    }
  });
}

async function refresh(
  ctx: TokenApiContext,
  caller: Caller,
  row: ProxyRow,
  trigger: Parameters<typeof refreshConnection>[2],
): Promise<ProxyRow | Response> {
  const result = await refreshConnection(
    refreshContext(ctx, caller),
    { organizationId: caller.organizationId, connectionId: row.id },
    trigger,
  );
  if (!result.ok) return refreshFailure(ctx, row.id, result);
  return (await proxyRow(ctx, caller.organizationId, row.id)) ?? notFound();
}
