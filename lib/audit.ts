// Not "server-only": the background refresher (instrumentation, `npm run worker`) audits too. Nothing here can
// reach a browser: only server modules under lib/ may import the database (eslint).
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { DbExecutor } from "@/lib/db/client";
import { auditEvents, type AuditOutcome } from "@/lib/db/schema";

/** Every event the audit log knows; token events join this list with the connections. */
export type AuditEventName =
  | "signed_in"
  | "organization_created"
  | "member_added"
  | "member_removed"
  | "admin_promoted"
  | "admin_demoted"
  | "access_refused"
  | "application_registered"
  | "application_secret_replaced"
  | "application_credentials_tested"
  | "application_disabled"
  | "application_enabled"
  | "application_deleted"
  | "session_ended"
  | "user_sessions_ended"
  | "audit_log_exported"
  | "connections_exported"
  | "bulk_job_started"
  | "bulk_job_cancelled"
  | "bulk_job_item"
  | "connection_connected"
  | "connection_updated"
  | "connection_reauthorized"
  | "connection_reauthorization_refused"
  | "connection_connect_failed"
  | "connection_imported"
  | "connection_import_refused"
  | "connection_refreshed"
  | "connection_refresh_failed"
  | "connection_verified"
  | "connection_disconnected"
  | "connection_revocation_pending"
  | "application_refresh_paused"
  | "api_key_created"
  | "api_key_revoked"
  | "access_token_issued"
  | "authorization_link_created"
  | "authorization_link_withdrawn"
  | "encryption_keys_rotated"
  | "email_binding_contested"
  | "email_binding_confirmed"
  | "webhook_endpoint_created"
  | "webhook_endpoint_updated"
  | "webhook_endpoint_enabled"
  | "webhook_endpoint_disabled"
  | "webhook_endpoint_deleted"
  | "webhook_secret_rotated";

export type AuditActor = { id: string; email: string | null } | { system: string };

export type AuditEntry = {
  actor: AuditActor;
  event: AuditEventName;
  outcome: AuditOutcome;
  organizationId?: string | null;
  connectionId?: string | null;
  apicbaseError?: string | null;
  /** Ids, e-mails, names: never a token, secret or API key. */
  detail?: Record<string, string | number | boolean | null | string[]>;
};

function auditRow(entry: AuditEntry & { occurredAt?: Date }) {
  const { actor } = entry;
  return {
    ...(entry.occurredAt ? { occurredAt: entry.occurredAt } : {}),
    actorUserId: "id" in actor ? actor.id : null,
    actorLabel: "id" in actor ? (actor.email ?? `user:${actor.id}`) : actor.system,
    organizationId: entry.organizationId ?? null,
    connectionId: entry.connectionId ?? null,
    event: entry.event,
    outcome: entry.outcome,
    apicbaseError: entry.apicbaseError ?? null,
    detail: entry.detail ?? null,
  };
}

/** Appends to the audit log, inside the caller's transaction when it passes one. */
export async function recordAudit(db: DbExecutor, entry: AuditEntry): Promise<void> {
  await db.insert(auditEvents).values(auditRow(entry));
}

/** Appends many entries in one statement (buffered writers), each with the moment it happened. */
export async function recordAudits(db: DbExecutor, entries: (AuditEntry & { occurredAt: Date })[]): Promise<void> {
  if (entries.length > 0) await db.insert(auditEvents).values(entries.map(auditRow));
}

/** A connection's newest audit event that matches `where` (the later-recorded of two at the same moment), or null. */
export async function latestConnectionEvent(
  db: DbExecutor,
  connectionId: string,
  where: SQL | undefined,
): Promise<{ occurredAt: Date; detail: Record<string, unknown> | null } | null> {
  const [row] = await db
    .select({ occurredAt: auditEvents.occurredAt, detail: auditEvents.detail })
    .from(auditEvents)
    .where(and(eq(auditEvents.connectionId, connectionId), where))
    .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
    .limit(1);
  return row ?? null;
}
