import "server-only";
import { auditEvents, type AuditOutcome, type DbExecutor } from "@/lib/db";

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
  | "connection_connected"
  | "connection_updated"
  | "connection_reauthorized"
  | "connection_reauthorization_refused"
  | "connection_connect_failed"
  | "connection_refreshed"
  | "connection_refresh_failed"
  | "connection_verified"
  | "connection_disconnected"
  | "authorization_link_created";

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

/** Appends to the audit log, inside the caller's transaction when it passes one. */
export async function recordAudit(db: DbExecutor, entry: AuditEntry): Promise<void> {
  const { actor } = entry;
  await db.insert(auditEvents).values({
    actorUserId: "id" in actor ? actor.id : null,
    actorLabel: "id" in actor ? (actor.email ?? `user:${actor.id}`) : actor.system,
    organizationId: entry.organizationId ?? null,
    connectionId: entry.connectionId ?? null,
    event: entry.event,
    outcome: entry.outcome,
    apicbaseError: entry.apicbaseError ?? null,
    detail: entry.detail ?? null,
  });
}
