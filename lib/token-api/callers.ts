/** Who calls the token API: the organization API key a request presents, checked for life, scope and rate. */
import { and, eq, isNull } from "drizzle-orm";
import { hashApiKey, isApiKeyShaped } from "@/lib/api-keys/keys";
import type { AuditActor } from "@/lib/audit";
import { pick } from "@/lib/db/columns";
import { apiKeys, type ApiKeyScope } from "@/lib/db/schema";
import { apiError, rateLimited, unauthorized } from "./http";
import type { Caller, RequestMeta, TokenApiContext } from "./types";

const SCOPE_WORDS: Record<ApiKeyScope, string> = {
  list: "list connections",
  token: "hand out access tokens",
  proxy: "call Apicbase through the portal",
};

export function presentedKey(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] && isApiKeyShaped(match[1]) ? match[1] : null;
}

export type KeyRow = Caller & { expiresAt: Date | null };

/** The audit log's actor for calls made with a key: its name, which people chose to say what uses it. */
export function apiKeyActorLabel(name: string): string {
  return `API key “${name}”`;
}

export const apiActor = (caller: Caller): AuditActor => ({ system: apiKeyActorLabel(caller.name) });

/**
 * A live key of the right scope, within its rate: the caller; else the answer to give. Notes the key's use (time
 * and address, at most once a minute).
 */
export function admit(
  ctx: TokenApiContext,
  row: KeyRow | undefined,
  scope: ApiKeyScope,
  meta: RequestMeta,
): Caller | Response {
  const now = ctx.now();
  if (!row || (row.expiresAt && row.expiresAt.getTime() <= now.getTime())) return unauthorized();
  const caller: Caller = {
    keyId: row.keyId,
    organizationId: row.organizationId,
    prefix: row.prefix,
    name: row.name,
    scopes: row.scopes,
  };
  if (!caller.scopes.includes(scope)) {
    const allowed = caller.scopes.map((s) => SCOPE_WORDS[s]).join(" and ");
    return apiError(403, "forbidden", `This API key may only ${allowed}; create a key that may ${SCOPE_WORDS[scope]}.`);
  }
  const wait = ctx.limiter.take(caller.keyId);
  if (wait !== null) return rateLimited(wait);
  ctx.handouts.touchKey(caller.keyId, now, meta.address);
  return caller;
}

export const keyColumns = {
  keyId: apiKeys.id,
  ...pick(apiKeys, "organizationId", "prefix", "name", "scopes", "expiresAt"),
};

export async function authenticate(
  ctx: TokenApiContext,
  request: Request,
  scope: ApiKeyScope,
  meta: RequestMeta,
): Promise<Caller | Response> {
  const key = presentedKey(request);
  if (!key) return unauthorized();
  const [row] = await ctx.db
    .select(keyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.secretHash, hashApiKey(key)), isNull(apiKeys.revokedAt)));
  return admit(ctx, row, scope, meta);
}
