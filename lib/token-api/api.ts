/**
 * The token API for partner backends, as plain Request -> Response functions; router.ts matches paths and methods,
 * the route handlers under app/api/v1/ and `npm run token-api` only build the context. Every answer is JSON with
 * `Cache-Control: no-store`; errors carry a stable `error` code and a sentence for people. The access token appears
 * in exactly one place: the body of a successful access-token answer. Never in a log, an error or the audit log.
 */
import { and, asc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { hashApiKey } from "@/lib/api-keys/keys";
import { createConnectionContext, type ConnectionContext } from "@/lib/connections/context";
import { displayStatus } from "@/lib/connections/status";
import { openAccessToken } from "@/lib/connections/tokens";
import type { Db } from "@/lib/db/client";
import { pick } from "@/lib/db/columns";
import { apiKeys, connections, type ConnectionStatus } from "@/lib/db/schema";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import { describeConnection } from "@/lib/messages/connections";
import type { RefreshTrigger } from "@/lib/lifecycle/types";
import { admit, apiActor, authenticate, keyColumns, presentedKey } from "./callers";
import { apiError, handled, json, notFound, queryOf, unauthorized, UUID } from "./http";
import type { Caller, RequestMeta, TokenApiContext } from "./types";
import {
  accessTokenQuery,
  DEFAULT_MIN_VALID_SECONDS,
  DEFAULT_PAGE_SIZE,
  listQuery,
  type AccessTokenBody,
  type ConnectionListBody,
} from "./schemas";

const connectionColumns = pick(
  connections,
  "id",
  "organizationId",
  "status",
  "libraryId",
  "libraryName",
  "observedLibraryId",
  "scopes",
  "accessTokenCiphertext",
  "accessTokenExpiresAt",
);
type ConnectionRow = Pick<typeof connections.$inferSelect, keyof typeof connectionColumns>;

/**
 * The access-token endpoint's one read, prepared once per database: the key and the connection in one round trip,
 * without building the query again for every request.
 */
function prepareLookups(db: Db) {
  const select = () => db.select({ ...keyColumns, connection: connectionColumns }).from(apiKeys);
  const liveKey = and(eq(apiKeys.secretHash, sql.placeholder("secretHash")), isNull(apiKeys.revokedAt));
  return {
    keyAndConnection: select()
      .leftJoin(connections, eq(connections.id, sql.placeholder("connectionId")))
      .where(liveKey)
      .prepare("token_api_key_and_connection"),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepareLookups>>();
function lookups(db: Db) {
  let statements = prepared.get(db);
  if (!statements) prepared.set(db, (statements = prepareLookups(db)));
  return statements;
}

type AccessTokenOptions = { minValidSeconds: number; forceRefresh: boolean };

function accessTokenOptions(url: URL): AccessTokenOptions | Response {
  const query = queryOf(url, accessTokenQuery);
  if (query instanceof Response) return query;
  return {
    minValidSeconds: query.min_valid_seconds ?? DEFAULT_MIN_VALID_SECONDS,
    forceRefresh: query.force_refresh ?? false,
  };
}

/**
 * `GET /api/v1/connections/{id}/access-token`: a valid access token of one of the key's organization's connections,
 * refreshed first when it would expire within `min_valid_seconds` (or at once with `force_refresh=true`). The usual
 * answer is one database read (the key and the connection together) and a decryption.
 */
export function accessTokenResponse(
  ctx: TokenApiContext,
  request: Request,
  connectionId: string,
  meta: RequestMeta = { address: null },
): Promise<Response> {
  return handled(async () => {
    if (!UUID.test(connectionId))
      return apiError(400, "invalid_request", "The connection id must be a UUID, as the portal lists them.");
    const options = accessTokenOptions(new URL(request.url));
    if (options instanceof Response) return options;
    const key = presentedKey(request);
    if (!key) return unauthorized();
    const [found] = await lookups(ctx.db).keyAndConnection.execute({ secretHash: hashApiKey(key), connectionId });
    const caller = admit(ctx, found, "token", meta);
    if (caller instanceof Response) return caller;
    const connection = found!.connection;
    // Another organization's connection answers exactly like a missing one: its existence is not confirmed.
    if (!connection || connection.organizationId !== caller.organizationId) return notFound();
    return accessTokenFor(ctx, caller, connection, options);
  });
}

function accessTokenFor(
  ctx: TokenApiContext,
  caller: Caller,
  connection: ConnectionRow,
  options: AccessTokenOptions,
): Promise<Response> | Response {
  const refusal = statusRefusal(connection.status);
  if (refusal) return refusal;
  if (options.forceRefresh) return refreshAndHandOut(ctx, caller, connection.id, { kind: "manual" });
  const now = ctx.now();
  const minValidMs = options.minValidSeconds * 1000;
  const expiresAt = connection.accessTokenExpiresAt;
  if (expiresAt && expiresAt.getTime() - now.getTime() > minValidMs && connection.accessTokenCiphertext) {
    return handOut(ctx, caller, { ...connection, refreshed: false }, now);
  }
  return refreshAndHandOut(ctx, caller, connection.id, { kind: "api", minValidMs });
}

export function statusRefusal(status: ConnectionStatus): Response | null {
  if (status === "needs_reauthorization") {
    return apiError(
      409,
      "needs_reauthorization",
      "Apicbase no longer accepts this connection's tokens: it needs re-authorization in the portal.",
    );
  }
  if (status === "revoked" || status === "revoking") {
    return apiError(
      409,
      "connection_revoked",
      "This connection was revoked; re-authorize it in the portal to use it again.",
    );
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
    return apiError(
      409,
      "needs_reauthorization",
      "This connection holds no access token: re-authorize it in the portal.",
    );
  }
  ctx.handouts.record(
    {
      actor: apiActor(caller),
      event: "access_token_issued",
      outcome: "success",
      organizationId: connection.organizationId,
      connectionId: connection.id,
      detail: {
        apiKeyId: caller.keyId,
        apiKeyPrefix: caller.prefix,
        expiresAt: expiresAt.toISOString(),
        refreshed: connection.refreshed,
      },
    },
    now,
  );
  const body: AccessTokenBody = {
    connection_id: connection.id,
    access_token: accessToken,
    token_type: "Bearer",
    expires_at: expiresAt.toISOString(),
    expires_in: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
    scopes: connection.scopes,
    library: { id: connection.libraryId, name: connection.libraryName },
    refreshed: connection.refreshed,
  };
  return json(200, body);
}

/** A refresh failure as the API answers it (after a refresh the caller needed, or one of the proxy's). */
export async function refreshFailure(
  ctx: TokenApiContext,
  connectionId: string,
  result: Extract<Awaited<ReturnType<typeof refreshConnection>>, { ok: false }>,
): Promise<Response> {
  if (result.needsReauthorization) return apiError(409, "needs_reauthorization", describeConnection(result));
  if (result.reason === "not_found") return notFound();
  const [current] = await ctx.db
    .select({ status: connections.status })
    .from(connections)
    .where(eq(connections.id, connectionId));
  const refusal = current && statusRefusal(current.status);
  if (refusal) return refusal;
  const retryAfter = result.retryAfterSeconds ?? (result.reason === "busy" ? 2 : 30);
  return apiError(503, "refresh_failed", `The access token could not be renewed: ${describeConnection(result)}`, {
    "Retry-After": String(retryAfter),
  });
}

/** The context of a refresh asked for by an API caller (its key is the actor). */
export function refreshContext(ctx: TokenApiContext, caller: Caller): ConnectionContext {
  return createConnectionContext({ ...ctx, actor: apiActor(caller) });
}

/** The slow path: one refresh for everyone asking at once (any process), then the fresh token. */
async function refreshAndHandOut(
  ctx: TokenApiContext,
  caller: Caller,
  connectionId: string,
  trigger: RefreshTrigger,
): Promise<Response> {
  const target = { organizationId: caller.organizationId, connectionId };
  const result = await refreshConnection(refreshContext(ctx, caller), target, trigger);
  if (!result.ok) return refreshFailure(ctx, connectionId, result);
  const [connection] = await ctx.db
    .select(connectionColumns)
    .from(connections)
    .where(and(eq(connections.id, connectionId), eq(connections.organizationId, caller.organizationId)));
  if (!connection) return notFound();
  return handOut(ctx, caller, { ...connection, refreshed: result.refreshed }, ctx.now());
}

/**
 * The connections whose token reaches a library: approved for it and still on it, or drifted onto it (their user
 * switched the active library in Apicbase). Usable ones are those the portal can hand out tokens for.
 */
export async function connectionsReaching(ctx: TokenApiContext, organizationId: string, libraryId: number) {
  const rows = await ctx.db
    .select(connectionColumns)
    .from(connections)
    .where(
      and(
        eq(connections.organizationId, organizationId),
        or(eq(connections.libraryId, libraryId), eq(connections.observedLibraryId, libraryId)),
      ),
    )
    .orderBy(asc(connections.id));
  const reaching = rows.filter((row) => (row.observedLibraryId ?? row.libraryId) === libraryId);
  const driftedAway = rows.filter((row) => (row.observedLibraryId ?? row.libraryId) !== libraryId);
  return { reaching, usable: reaching.filter((row) => !statusRefusal(row.status)), driftedAway };
}

/** The one usable connection of a library, or the answer explaining why there is none or more than one. */
export async function connectionForLibrary(
  ctx: TokenApiContext,
  caller: Caller,
  libraryId: number,
): Promise<ConnectionRow | Response> {
  const { reaching, usable, driftedAway } = await connectionsReaching(ctx, caller.organizationId, libraryId);
  if (usable.length === 1) return usable[0]!;
  if (usable.length > 1) {
    const now = ctx.now();
    return apiError(
      409,
      "ambiguous_library",
      `${usable.length} connections reach library ${libraryId}; ask for one of them by its id.`,
      {},
      {
        candidates: usable.map((row) => ({
          id: row.id,
          library: { id: row.libraryId, name: row.libraryName },
          status: displayStatus(row, now),
        })),
      },
    );
  }
  const unusable = reaching[0];
  if (unusable) return statusRefusal(unusable.status)!;
  const drifted = driftedAway[0];
  if (drifted) {
    return notFound(
      `The connection for library ${libraryId} now reaches library ${drifted.observedLibraryId}: its user switched ` +
        "the active library in Apicbase. Ask them to switch back, then try again.",
    );
  }
  return notFound(`This organization has no connection for library ${libraryId}.`);
}

/** `GET /api/v1/libraries/{library_id}/access-token`: as by connection id, for the one connection of the library. */
export function libraryAccessTokenResponse(
  ctx: TokenApiContext,
  request: Request,
  libraryId: number,
  meta: RequestMeta = { address: null },
): Promise<Response> {
  return handled(async () => {
    const options = accessTokenOptions(new URL(request.url));
    if (options instanceof Response) return options;
    const caller = await authenticate(ctx, request, "token", meta);
    if (caller instanceof Response) return caller;
    const connection = await connectionForLibrary(ctx, caller, libraryId);
    if (connection instanceof Response) return connection;
    return accessTokenFor(ctx, caller, connection, options);
  });
}

/** The last id of a page, opaque to callers (it may carry more one day). */
function encodeCursor(id: string): string {
  return Buffer.from(id).toString("base64url");
}

function decodeCursor(raw: string): string | null {
  const id = Buffer.from(raw, "base64url").toString("utf8");
  return UUID.test(id) ? id : null;
}

/**
 * `GET /api/v1/connections?limit=N&cursor=...&library_id=L`: the key's organization's connections in a stable order
 * (by id), with their status and token expiry (never a token). `next_cursor` fetches the next page; null on the
 * last one. With `library_id`, only the connections approved for that library or whose token now reaches it.
 */
export function connectionListResponse(
  ctx: TokenApiContext,
  request: Request,
  meta: RequestMeta = { address: null },
): Promise<Response> {
  return handled(async () => {
    const query = queryOf(new URL(request.url), listQuery);
    if (query instanceof Response) return query;
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !cursor) return apiError(400, "invalid_request", "cursor is not one this API returned.");
    const caller = await authenticate(ctx, request, "list", meta);
    if (caller instanceof Response) return caller;

    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const library = query.library_id;
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
          library === undefined
            ? undefined
            : or(eq(connections.libraryId, library), eq(connections.observedLibraryId, library)),
        ),
      )
      .orderBy(asc(connections.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const now = ctx.now();
    const body: ConnectionListBody = {
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
    };
    return json(200, body);
  });
}
