/**
 * What each audit event is called, in a connection's History (where the connection goes without saying) and in the
 * audit log (where it does not), and the one-line summary of a connection event's detail. Labels depend on the
 * outcome: a Verify that Apicbase answered with a 500 is "Verification failed", never "Verified".
 *
 * Only known detail fields are read: the audit log never holds a token, and the page shows nothing it does not
 * understand. Times come formatted by the caller (the page knows the viewer's time zone).
 */
import type { AuditEventName } from "@/lib/audit";
import { PORTAL_RESTARTING } from "@/lib/connections/codes";

/** Events that are about one connection: the only ones its History lists. */
export const CONNECTION_EVENTS = [
  "connection_connected",
  "connection_imported",
  "connection_updated",
  "connection_reauthorized",
  "connection_reauthorization_refused",
  "connection_connect_failed",
  "connection_refreshed",
  "connection_refresh_failed",
  "connection_verified",
  "connection_disconnected",
  "connection_revocation_pending",
  "access_token_issued",
  "access_refused",
  "authorization_link_created",
  "authorization_link_withdrawn",
] as const satisfies readonly AuditEventName[];

/** Token hand-outs: counted in History, listed one by one only when asked for. */
export const HANDOUT_EVENT = "access_token_issued" satisfies AuditEventName;

const HISTORY_LABELS: Record<string, string> = {
  connection_connected: "Connected",
  connection_imported: "Connected by token import",
  connection_updated: "Updated by a new approval",
  connection_reauthorized: "Re-authorized",
  connection_reauthorization_refused: "Re-authorization refused",
  connection_connect_failed: "Approval failed",
  connection_refreshed: "Refreshed",
  connection_refresh_failed: "Refresh failed",
  connection_verified: "Verified",
  connection_disconnected: "Revoked",
  connection_revocation_pending: "Revocation pending",
  access_token_issued: "Access token handed out",
  access_refused: "Access refused",
  authorization_link_created: "Authorization link created",
  authorization_link_withdrawn: "Authorization link withdrawn",
};

/** The audit log's names, which say what the event is about. */
export const AUDIT_EVENT_LABELS: Partial<Record<AuditEventName, string>> = {
  signed_in: "Signed in",
  organization_created: "Organization created",
  member_added: "Member added",
  member_removed: "Member removed",
  admin_promoted: "Made admin",
  admin_demoted: "Admin rights removed",
  access_refused: "Access refused",
  application_registered: "Application registered",
  application_secret_replaced: "Application secret replaced",
  application_credentials_tested: "Application credentials tested",
  application_disabled: "Application disabled",
  application_enabled: "Application enabled",
  application_deleted: "Application deleted",
  application_refresh_paused: "Application's refreshes paused",
  session_ended: "Session ended",
  user_sessions_ended: "All sessions of a user ended",
  audit_log_exported: "Audit log exported",
  connections_exported: "Connections exported (CSV)",
  bulk_job_started: "Bulk action started",
  bulk_job_cancelled: "Bulk action cancelled",
  bulk_job_item: "Bulk action on a connection",
  connection_connected: "Library connected",
  connection_updated: "Connection updated by a new approval",
  connection_reauthorized: "Connection re-authorized",
  connection_reauthorization_refused: "Re-authorization refused",
  connection_connect_failed: "Connecting failed",
  connection_imported: "Library connected by token import",
  connection_import_refused: "Token import refused",
  connection_refreshed: "Tokens refreshed",
  connection_refresh_failed: "Refresh failed",
  connection_verified: "Connection verified",
  connection_disconnected: "Connection revoked",
  connection_revocation_pending: "Revocation pending at Apicbase",
  api_key_created: "API key created",
  api_key_revoked: "API key revoked",
  access_token_issued: "Access token handed out",
  authorization_link_created: "Authorization link created",
  authorization_link_withdrawn: "Authorization link withdrawn",
  encryption_keys_rotated: "Stored secrets re-encrypted (keys:rotate)",
  email_binding_contested: "E-mail signed in as another Apicbase user",
  email_binding_confirmed: "E-mail moved to another Apicbase user",
};

type Entry = {
  event: string;
  outcome: "success" | "failure";
  apicbaseError: string | null;
  detail: Record<string, unknown> | null;
};

/** A verification's result in words; shared by both labels so History and the audit log never disagree. */
function verificationLabel(entry: Entry, prefix: string): string {
  if (entry.outcome === "failure" && entry.apicbaseError !== "inactive_token") return "Verification failed";
  if (entry.detail?.active === false || entry.apicbaseError === "inactive_token") return `${prefix}: not active`;
  if (entry.detail?.drift === true) return `${prefix}: reaches another library`;
  return `${prefix}: active`;
}

/** An event's name in a connection's History. */
export function historyLabel(entry: Entry): string {
  if (entry.event === "connection_verified") return verificationLabel(entry, "Verified");
  return HISTORY_LABELS[entry.event] ?? entry.event.replace(/^connection_/, "").replaceAll("_", " ");
}

/** An event's name in the audit log. */
export function auditEventLabel(event: string): string {
  const known = AUDIT_EVENT_LABELS[event as AuditEventName];
  if (known) return known;
  const words = event.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const str = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : null);

const TRIGGERS: Record<string, string> = {
  manual: "asked for on the portal",
  api: "asked for by the token API",
  background: "background refresh",
};

/**
 * What a connection event's detail says, in short parts: History and the audit log both write them. `time` formats a
 * moment (the viewer's zone on a page, UTC in an export). Null for an event it does not know.
 */
export function connectionEventParts(entry: Entry, time: (date: Date) => string): string[] | null {
  const d = entry.detail ?? {};
  const parts: string[] = [];
  switch (entry.event) {
    case "connection_connected":
    case "connection_imported":
    case "connection_updated":
    case "connection_reauthorized": {
      const by = str(d.approvedBy);
      if (by) parts.push(`${entry.event === "connection_imported" ? "tokens of" : "approved by"} ${by}`);
      if (d.via === "manual_code") parts.push("with a pasted code");
      if (d.via === "token_import" && entry.event !== "connection_imported") parts.push("with imported tokens");
      if (Array.isArray(d.scopes)) parts.push(`scopes ${d.scopes.join(", ")}`);
      break;
    }
    case "connection_reauthorization_refused": {
      const by = str(d.approvedBy);
      parts.push(
        `${by ?? "The approving user"} approved with library ${str(d.approvedLibraryId) ?? "?"} active, not ` +
          `library ${str(d.expectedLibraryId) ?? "?"}`,
      );
      break;
    }
    case "connection_refreshed": {
      const expires = str(d.expiresAt);
      if (expires && !Number.isNaN(Date.parse(expires)))
        parts.push(`new access token valid until ${time(new Date(expires))}`);
      break;
    }
    case "connection_refresh_failed": {
      const trigger = str(d.trigger);
      if (trigger && TRIGGERS[trigger]) parts.push(TRIGGERS[trigger]);
      if (d.outcome === "retry") parts.push("the portal retries");
      if (d.outcome === "reauthorize") parts.push("needs re-authorization");
      break;
    }
    case "connection_verified":
      if (entry.outcome === "failure" && entry.apicbaseError !== "inactive_token")
        parts.push("Apicbase could not be asked; nothing changed");
      else if (typeof d.active === "boolean") parts.push(d.active ? "Apicbase: active" : "Apicbase: not active");
      if (str(d.activeLibraryId)) parts.push(`reaches library ${str(d.activeLibraryId)}`);
      break;
    case "connection_disconnected": {
      const revocation = str(d.revocation);
      if (revocation === "revoked") parts.push("grant revoked at Apicbase");
      else if (revocation === "unsupported") parts.push("Apicbase offers no revocation: tokens deleted on the portal");
      else if (revocation === "failed") parts.push("Apicbase did not revoke: tokens deleted on the portal");
      if (d.resumed === true) parts.push("finished after an interruption");
      const reason = str(d.reason);
      if (reason) parts.push(`reason: ${reason}`);
      break;
    }
    case "connection_revocation_pending":
      parts.push(
        entry.apicbaseError === PORTAL_RESTARTING
          ? "the portal was restarting, so Apicbase was not asked yet; the portal tries again"
          : "Apicbase did not accept the revocation yet; the portal tries again",
      );
      break;
    default:
      return null;
  }
  return parts;
}

/** A one-line summary of a connection event in its History, with the error Apicbase answered, if any. */
export function historySummary(entry: Entry, time: (date: Date) => string): string {
  const parts = connectionEventParts(entry, time) ?? [];
  // "The portal was restarting" is the portal's own reason, said in words above, not an error of Apicbase's.
  if (entry.apicbaseError && entry.apicbaseError !== PORTAL_RESTARTING)
    parts.push(`Apicbase error: ${entry.apicbaseError}`);
  return parts.join(" · ");
}

/** History's line for a key's hand-outs: "Access token handed out 40 times to key 'billing-sync' between … and …". */
export function handoutSummary(args: { count: number; key: string; first: string; last: string }): string {
  const times = args.count === 1 ? "once" : `${args.count.toLocaleString("en")} times`;
  return args.count === 1
    ? `Access token handed out once to ${args.key}, ${args.first}`
    : `Access token handed out ${times} to ${args.key} between ${args.first} and ${args.last}`;
}

export const HISTORY_TEXT = {
  intro: "State changes of this connection, newest first. Never a token.",
  introWithHandouts: "Every event of this connection, each token hand-out included, newest first. Never a token.",
  empty: "Nothing happened to this connection yet.",
  handoutsTitle: "Token hand-outs",
  showHandouts: "List each hand-out",
  hideHandouts: "Hide the hand-outs",
  noHandouts: "No backend fetched a token of this connection yet.",
  /** A hand-out's key: its name when the key still exists, else the actor the audit log recorded. */
  key: (name: string | null, actor: string) => (name ? `key '${name}'` : actor),
} as const;
