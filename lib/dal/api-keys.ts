import "server-only";
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyView } from "@/lib/api-keys/store";
import { getDb } from "@/lib/db";
import type { ApiKeyScope } from "@/lib/db/schema";
import { proxiedCallsSince } from "@/lib/token-api/apicbase-limit";
import { canActFor } from "./connections";
import { actorOf } from "./actor";
import type { PortalUser } from "./session";

export type { ApiKeyView };

/** The organization's API keys, for its members and admins; null for anyone else. */
export async function apiKeysOf(user: PortalUser, organizationId: string): Promise<ApiKeyView[] | null> {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  return listApiKeys(db, organizationId);
}

export async function createOrganizationApiKey(
  user: PortalUser,
  organizationId: string,
  key: { name: string; scopes: ApiKeyScope[]; expiresAt: Date | null },
) {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  return createApiKey(db, { organizationId, ...key, actor: actorOf(user) });
}

/** Calls through the Apicbase API proxy per key of the organization in the last 24 hours. */
export async function proxiedCallsOf(user: PortalUser, organizationId: string) {
  if (!canActFor(user, organizationId)) return new Map<string, { calls: number; failures: number }>();
  const { db } = await getDb();
  return proxiedCallsSince(db, organizationId, new Date(Date.now() - 24 * 3_600_000));
}

export async function revokeOrganizationApiKey(
  user: PortalUser,
  organizationId: string,
  apiKeyId: string,
): Promise<"revoked" | "not_found" | "not_allowed"> {
  if (!canActFor(user, organizationId)) return "not_allowed";
  const { db } = await getDb();
  return (await revokeApiKey(db, { organizationId, apiKeyId, actor: actorOf(user), now: new Date() }))
    ? "revoked"
    : "not_found";
}
