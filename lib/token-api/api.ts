/**
 * The token API for partner backends, as plain Request -> Response functions (the route handlers under
 * app/api/v1/ only build the context). Every answer is JSON with `Cache-Control: no-store`; errors carry a stable
 * `error` code and a sentence for people. The access token appears in exactly one place: the body of a successful
 * access-token answer. Never in a log, an error or the audit log.
 */
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { ApicbaseClient } from "@/lib/apicbase/client";
import { hashApiKey, isApiKeyShaped } from "@/lib/api-keys/keys";
import type { AuditActor } from "@/lib/audit";
import type { ConnectionContext } from "@/lib/connections/service";
import { displayStatus } from "@/lib/connections/status";
import { openAccessToken } from "@/lib/connections/tokens";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import { apiKeys, connections } from "@/lib/db/schema";
import { recordId } from "@/lib/forms";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import { describeError } from "@/lib/lifecycle/refresher";
import type { HandoutLog } from "./handouts";
import type { KeyRateLimiter } from "./rate-limit";

export type TokenApiContext = {
  db: Db;
  keyring: Keyring;
  clientFor(applicationId: string): Promise<ApicbaseClient>;
  now(): Date;
  /** This process in refresh leases. */
  leaseOwner: string;
  limiter: KeyRateLimiter;
  handouts: HandoutLog;
};

/** Without `min_valid_seconds`, a token is handed out as long as it stays valid for 10 more minutes. */
export const DEFAULT_MIN_VALID_SECONDS = 600;
/** At most a day: Apicbase's tokens live 7 days and the refresher renews them with about 2 days left. */
export const MAX_MIN_VALID_SECONDS = 86_400;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

export type TokenApiErrorCode =
  | "invalid_request"
  | "method_not_allowed"
  | "invalid_api_key"
  | "forbidden"
  | "not_found"
  | "needs_reauthorization"
  | "connection_revoked"
  | "rate_limited"
  | "refresh_failed"
  | "internal_error";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...NO_STORE, ...headers },
  });
}

export function apiError(status: number, error: TokenApiErrorCode, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { error, message }, headers);
}

const unauthorized = () =>
  apiError(401, "invalid_api_key", "Send an organization API key of the portal as `Authorization: Bearer apb_...`; this one is missing, unknown or revoked.", {
    "WWW-Authenticate": 'Bearer realm="Apicbase partner portal"',
  });

const rateLimited = (seconds: number) =>
  apiError(429, "rate_limited", `Too many requests with this API key. Try again in ${seconds} seconds.`, { "Retry-After": String(seconds) });

function presentedKey(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] && isApiKeyShaped(match[1]) ? match[1] : null;
}

type Caller = { keyId: string; organizationId: string; prefix: string };

async function authenticate(ctx: TokenApiContext, request: Request): Promise<Caller | Response> {
  const key = presentedKey(request);
  if (!key) return unauthorized();
  const [row] = await ctx.db
    .select({ keyId: apiKeys.id, organizationId: apiKeys.organizationId, prefix: apiKeys.prefix })
    .from(apiKeys)
    .where(and(eq(apiKeys.secretHash, hashApiKey(key)), isNull(apiKeys.revokedAt)));
  return row ?? unauthorized();
}

/**
 * The access-token endpoint's one read, prepared once per database: the key and the connection in one round trip,
 * without building the query again for every request.
 */
function prepareLookups(db: Db) {
  const select = () =>
    db
      .select({
        keyId: apiKeys.id,
        organizationId: apiKeys.organizationId,
        prefix: apiKeys.prefix,
        connection: {
          id: connections.id,
          organizationId: connections.organizationId,
          status: connections.status,
          libraryId: connections.libraryId,
          libraryName: connections.libraryName,
          scopes: connections.scopes,
          accessTokenCiphertext: connections.accessTokenCiphertext,
          accessTokenExpiresAt: connections.accessTokenExpiresAt,
        },
      })
      .from(apiKeys);
  const liveKey = and(eq(apiKeys.secretHash, sql.placeholder("secretHash")), isNull(apiKeys.revokedAt));
  return {
    keyAndConnection: select()
      .leftJoin(connections, eq(connections.id, sql.placeholder("connectionId")))
      .where(liveKey)
      .prepare("token_api_key_and_connection"),
    keyAlone: select().leftJoin(connections, sql`false`).where(liveKey).prepare("token_api_key"),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepareLookups>>();
function lookups(db: Db) {
  let statements = prepared.get(db);
  if (!statements) prepared.set(db, (statements = prepareLookups(db)));
  return statements;
}

async function handled(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    console.error(`[token-api] request failed: ${describeError(error)}`);
    return apiError(500, "internal_error", "Something went wrong on the portal's side. Try again.");
  }
}

const apiActor = (caller: Caller): AuditActor => ({ system: `api-key:${caller.prefix}` });

function parseMinValid(url: URL): number | Response {
  const raw = url.searchParams.get("min_valid_seconds");
  if (raw === null || raw === "") return DEFAULT_MIN_VALID_SECONDS;
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_MIN_VALID_SECONDS) {
    return apiError(400, "invalid_request", `min_valid_seconds must be a whole number of seconds from 0 to ${MAX_MIN_VALID_SECONDS}.`);
  }
  return Number(raw);
}

/**
 * `GET /api/v1/connections/{id}/access-token?min_valid_seconds=N`: a valid access token of one of the key's
 * organization's connections, refreshed first when it would expire within N seconds. The usual answer is one
 * database read (the key and the connection together) and a decryption.
 */
export function accessTokenResponse(ctx: TokenApiContext, request: Request, connectionId: string): Promise<Response> {
  return handled(async () => {
    const minValidSeconds = parseMinValid(new URL(request.url));
    if (minValidSeconds instanceof Response) return minValidSeconds;
    const key = presentedKey(request);
    if (!key) return unauthorized();
    const secretHash = hashApiKey(key);
    // An id that is no uuid joins nothing (and is not sent to the database as a uuid).
    const [found] = recordId.safeParse(connectionId).success
      ? await lookups(ctx.db).keyAndConnection.execute({ secretHash, connectionId })
      : await lookups(ctx.db).keyAlone.execute({ secretHash });
    if (!found) return unauthorized();
    const caller: Caller = { keyId: found.keyId, organizationId: found.organizationId, prefix: found.prefix };
    const wait = ctx.limiter.take(caller.keyId);
    if (wait !== null) return rateLimited(wait);

    const connection = found.connection;
    if (!connection) return apiError(404, "not_found", "There is no connection with this id.");
    // Another organization's connection answers exactly like a missing one: its existence is not confirmed.
    if (connection.organizationId !== caller.organizationId) return apiError(404, "not_found", "There is no connection with this id.");
    const refusal = statusRefusal(connection.status);
    if (refusal) return refusal;

    const now = ctx.now();
    const minValidMs = minValidSeconds * 1000;
    const validEnough = connection.accessTokenExpiresAt && connection.accessTokenExpiresAt.getTime() - now.getTime() > minValidMs;
    if (validEnough && connection.accessTokenCiphertext) {
      return handOut(ctx, caller, { ...connection, refreshed: false }, now);
    }
    return refreshAndHandOut(ctx, caller, connection.id, minValidMs);
  });
}

function statusRefusal(status: string): Response | null {
  if (status === "needs_reauthorization") {
    return apiError(409, "needs_reauthorization", "Apicbase no longer accepts this connection's tokens: it needs re-authorization in the portal.");
  }
  if (status === "revoked" || status === "revoking") {
    return apiError(409, "connection_revoked", "This connection was revoked; re-authorize it in the portal to use it again.");
  }
  return null;
}

type HandOut = {
  id: string;
  organizationId: string;
  libraryId: number;
  libraryName: string;
  scopes: string[];
  accessTokenCiphertext: string | null;
  accessTokenExpiresAt: Date | null;
  refreshed: boolean;
};

function handOut(ctx: TokenApiContext, caller: Caller, connection: HandOut, now: Date): Response {
  const accessToken = openAccessToken(ctx.keyring, connection);
  const expiresAt = connection.accessTokenExpiresAt;
  if (!accessToken || !expiresAt) {
    return apiError(409, "needs_reauthorization", "This connection holds no access token: re-authorize it in the portal.");
  }
  ctx.handouts.record(
    {
      actor: apiActor(caller),
      event: "access_token_issued",
      outcome: "success",
      organizationId: connection.organizationId,
      connectionId: connection.id,
      detail: { apiKeyId: caller.keyId, expiresAt: expiresAt.toISOString(), refreshed: connection.refreshed },
    },
    now,
  );
  ctx.handouts.touchKey(caller.keyId, now);
  return json(200, {
    connection_id: connection.id,
    access_token: accessToken,
    token_type: "Bearer",
    expires_at: expiresAt.toISOString(),
    expires_in: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
    scopes: connection.scopes,
    library: { id: connection.libraryId, name: connection.libraryName },
    refreshed: connection.refreshed,
  });
}

/** The slow path: one refresh for everyone asking at once (any process), then the fresh token. */
async function refreshAndHandOut(ctx: TokenApiContext, caller: Caller, connectionId: string, minValidMs: number): Promise<Response> {
  const connectionContext: ConnectionContext = {
    db: ctx.db,
    keyring: ctx.keyring,
    clientFor: ctx.clientFor,
    now: ctx.now,
    actor: apiActor(caller),
    leaseOwner: ctx.leaseOwner,
  };
  const result = await refreshConnection(connectionContext, { organizationId: caller.organizationId, connectionId }, { kind: "api", minValidMs });
  if (!result.ok) {
    if (result.needsReauthorization) return apiError(409, "needs_reauthorization", result.message);
    if (result.reason === "not_found") return apiError(404, "not_found", "There is no connection with this id.");
    const [current] = await ctx.db.select({ status: connections.status }).from(connections).where(eq(connections.id, connectionId));
    const refusal = current && statusRefusal(current.status);
    if (refusal) return refusal;
    const retryAfter = result.retryAfterSeconds ?? (result.reason === "busy" ? 2 : 30);
    return apiError(503, "refresh_failed", `The access token could not be renewed: ${result.message}`, { "Retry-After": String(retryAfter) });
  }
  const [connection] = await ctx.db
    .select({
      id: connections.id,
      organizationId: connections.organizationId,
      libraryId: connections.libraryId,
      libraryName: connections.libraryName,
      scopes: connections.scopes,
      accessTokenCiphertext: connections.accessTokenCiphertext,
      accessTokenExpiresAt: connections.accessTokenExpiresAt,
    })
    .from(connections)
    .where(and(eq(connections.id, connectionId), eq(connections.organizationId, caller.organizationId)));
  if (!connection) return apiError(404, "not_found", "There is no connection with this id.");
  return handOut(ctx, caller, { ...connection, refreshed: result.refreshed }, ctx.now());
}

/** The last id of a page, opaque to callers (it may carry more one day). */
function encodeCursor(id: string): string {
  return Buffer.from(id).toString("base64url");
}

function decodeCursor(raw: string): string | null {
  const id = Buffer.from(raw, "base64url").toString("utf8");
  return recordId.safeParse(id).success ? id : null;
}

/**
 * `GET /api/v1/connections?limit=N&cursor=...`: the key's organization's connections in a stable order (by id),
 * with their status and token expiry (never a token). `next_cursor` fetches the next page; null on the last one.
 */
export function connectionListResponse(ctx: TokenApiContext, request: Request): Promise<Response> {
  return handled(async () => {
    const caller = await authenticate(ctx, request);
    if (caller instanceof Response) return caller;
    const wait = ctx.limiter.take(caller.keyId);
    if (wait !== null) return rateLimited(wait);

    const params = new URL(request.url).searchParams;
    const rawLimit = params.get("limit");
    if (rawLimit !== null && (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_PAGE_SIZE)) {
      return apiError(400, "invalid_request", `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
    }
    const limit = rawLimit === null ? DEFAULT_PAGE_SIZE : Number(rawLimit);
    const rawCursor = params.get("cursor");
    const cursor = rawCursor ? decodeCursor(rawCursor) : null;
    if (rawCursor && !cursor) return apiError(400, "invalid_request", "cursor is not one this API returned.");

    const rows = await ctx.db
      .select({
        id: connections.id,
        libraryId: connections.libraryId,
        libraryName: connections.libraryName,
        status: connections.status,
        scopes: connections.scopes,
        accessTokenExpiresAt: connections.accessTokenExpiresAt,
        lastRefreshedAt: connections.lastRefreshedAt,
        backgroundRefreshFailures: connections.backgroundRefreshFailures,
        applicationId: connections.applicationId,
      })
      .from(connections)
      .where(
        and(
          eq(connections.organizationId, caller.organizationId),
          cursor ? gt(connections.id, cursor) : undefined,
        ),
      )
      .orderBy(asc(connections.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const now = ctx.now();
    return json(200, {
      data: page.map((row) => ({
        id: row.id,
        library: { id: row.libraryId, name: row.libraryName },
        status: displayStatus(row, now),
        scopes: row.scopes,
        access_token_expires_at: row.accessTokenExpiresAt?.toISOString() ?? null,
        last_refreshed_at: row.lastRefreshedAt?.toISOString() ?? null,
        application_id: row.applicationId,
      })),
      next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null,
    });
  });
}
