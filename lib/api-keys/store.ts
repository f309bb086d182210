/** Organization API keys in the database: created (the key shown once), listed without secrets, revoked. */
import { and, desc, eq, isNull } from "drizzle-orm";
import { recordAudit, type AuditActor } from "@/lib/audit";
import type { Db } from "@/lib/db/client";
import { pick } from "@/lib/db/columns";
import { API_KEY_SCOPES, apiKeys, users, type ApiKeyScope } from "@/lib/db/schema";
import { generateApiKey } from "./keys";

export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  lastUsedAddress: string | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  scopes: ApiKeyScope[];
};

/** The organization's keys, newest first: never the secret or its hash. */
export async function listApiKeys(db: Db, organizationId: string): Promise<ApiKeyView[]> {
  return db
    .select({
      ...pick(apiKeys, "id", "name", "prefix", "createdAt", "lastUsedAt", "lastUsedAddress", "revokedAt", "expiresAt"),
      scopes: apiKeys.scopes,
      createdBy: users.email,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdByUserId))
    .where(eq(apiKeys.organizationId, organizationId))
    .orderBy(desc(apiKeys.createdAt));
}

/** A new key: the returned `key` is the only copy there will ever be. */
export async function createApiKey(
  db: Db,
  args: { organizationId: string; name: string; actor: AuditActor; scopes?: ApiKeyScope[]; expiresAt?: Date | null },
): Promise<{ id: string; key: string; prefix: string }> {
  const scopes = args.scopes ?? [...API_KEY_SCOPES];
  const expiresAt = args.expiresAt ?? null;
  const generated = generateApiKey();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        organizationId: args.organizationId,
        name: args.name,
        prefix: generated.prefix,
        secretHash: generated.secretHash,
        scopes,
        expiresAt,
        createdByUserId: "id" in args.actor ? args.actor.id : null,
      })
      .returning({ id: apiKeys.id });
    await recordAudit(tx, {
      actor: args.actor,
      event: "api_key_created",
      outcome: "success",
      organizationId: args.organizationId,
      detail: {
        apiKeyId: row!.id,
        name: args.name,
        prefix: generated.prefix,
        scopes,
        expiresAt: expiresAt?.toISOString() ?? null,
      },
    });
    return { id: row!.id, key: generated.key, prefix: generated.prefix };
  });
}

/** Revokes a key of this organization (scoped in the statement itself); false when there is no such live key. */
export async function revokeApiKey(
  db: Db,
  args: { organizationId: string; apiKeyId: string; actor: AuditActor; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: args.now })
      .where(
        and(eq(apiKeys.id, args.apiKeyId), eq(apiKeys.organizationId, args.organizationId), isNull(apiKeys.revokedAt)),
      )
      .returning({ name: apiKeys.name, prefix: apiKeys.prefix });
    if (!row) return false;
    await recordAudit(tx, {
      actor: args.actor,
      event: "api_key_revoked",
      outcome: "success",
      organizationId: args.organizationId,
      detail: { apiKeyId: args.apiKeyId, name: row.name, prefix: row.prefix },
    });
    return true;
  });
}
