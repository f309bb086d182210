import "server-only";
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyView } from "@/lib/api-keys/store";
import { getDb } from "@/lib/db";
import { canActFor } from "./connections";
import type { PortalUser } from "./session";

export type { ApiKeyView };

const actorOf = (user: PortalUser) => ({ id: user.id, email: user.email });

/** The organization's API keys, for its members and admins; null for anyone else. */
export async function apiKeysOf(user: PortalUser, organizationId: string): Promise<ApiKeyView[] | null> {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  return listApiKeys(db, organizationId);
}

export async function createOrganizationApiKey(user: PortalUser, organizationId: string, name: string) {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  return createApiKey(db, { organizationId, name, actor: actorOf(user) });
}

export async function revokeOrganizationApiKey(user: PortalUser, organizationId: string, apiKeyId: string): Promise<"revoked" | "not_found" | "not_allowed"> {
  if (!canActFor(user, organizationId)) return "not_allowed";
  const { db } = await getDb();
  return (await revokeApiKey(db, { organizationId, apiKeyId, actor: actorOf(user), now: new Date() })) ? "revoked" : "not_found";
}
