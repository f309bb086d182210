import type { AuditEventName } from "@/lib/audit";
import type { AuditOutcome } from "@/lib/db/schema";
import { AUDIT_EVENT_LABELS, auditEventLabel, connectionEventParts } from "@/lib/messages/history";
import { formatAbsolute } from "@/lib/time";
import { plural } from "@/lib/plural";

/**
 * The audit log in words: what each event is called (the catalog, lib/messages/history.ts), and a one-line summary
 * of its detail. Only fields known to be harmless are read by name; the generic fallback skips anything whose name
 * suggests a credential.
 */

/** Every event the log knows by name, for the event filter. */
export const KNOWN_EVENTS = Object.keys(AUDIT_EVENT_LABELS) as AuditEventName[];

export const eventLabel = auditEventLabel;

type Detail = Record<string, unknown> | null | undefined;

const ISO_MOMENT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

// A stored moment reads as the rest of the log does ("6 Dec 2026, 12:27 UTC"), not as ISO 8601.
const text = (value: unknown): string | null =>
  typeof value === "string" && value !== ""
    ? ISO_MOMENT.test(value)
      ? formatAbsolute(new Date(value))
      : value
    : typeof value === "number"
      ? String(value)
      : null;

const list = (value: unknown): string | null =>
  Array.isArray(value) && value.every((item) => typeof item === "string")
    ? value.length > 0
      ? value.join(" ")
      : "none"
    : null;

const CREDENTIAL_RESULTS: Record<string, string> = {
  accepted: "credentials fine",
  rejected: "wrong credentials",
  unreachable: "Apicbase unreachable",
  timeout: "no answer in time",
  rate_limited: "rate limited",
  server_error: "Apicbase failed",
  unexpected: "inconclusive",
};

/** Field names that must never be shown, whatever an event put there by mistake. */
const UNSAFE_KEY = /token|secret|code|password|key|authorization|cookie/i;

function generic(detail: Detail): string {
  if (!detail) return "";
  return Object.entries(detail)
    .filter(([key]) => !UNSAFE_KEY.test(key))
    .map(([key, value]) => {
      const shown = text(value) ?? list(value) ?? (typeof value === "boolean" ? (value ? "yes" : "no") : null);
      return shown === null ? null : `${key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}: ${shown}`;
    })
    .filter((part): part is string => part !== null)
    .slice(0, 5)
    .join(" · ");
}

/** One line saying what happened beyond the event's name, e.g. "nora@sandbox.test · 2 sessions ended". */
export function summarizeDetail(
  event: string,
  detail: Detail,
  result: { outcome: AuditOutcome; apicbaseError: string | null } = { outcome: "success", apicbaseError: null },
): string {
  const d = detail ?? {};
  const who = text(d.email);
  const app = text(d.name) && text(d.clientId) ? `${text(d.name)} (client id ${text(d.clientId)})` : text(d.name);
  const parts: string[] = [];
  switch (event) {
    case "signed_in":
      if (text(d.reason)) parts.push(`failed: ${text(d.reason)!.replaceAll("_", " ")}`);
      else if (d.newUser === true) parts.push("first sign-in");
      break;
    case "organization_created":
      if (text(d.name)) parts.push(text(d.name)!);
      break;
    case "member_added":
      if (who) parts.push(d.pending === true ? `${who} invited (joins at first sign-in)` : who);
      break;
    case "member_removed":
      if (who) parts.push(d.pending === true ? `invitation of ${who} withdrawn` : who);
      if (typeof d.sessionsEnded === "number" && d.sessionsEnded > 0)
        parts.push(`${plural(d.sessionsEnded, "session", "sessions")} ended`);
      break;
    case "admin_promoted":
    case "admin_demoted":
      if (who) parts.push(who);
      break;
    case "access_refused":
      if (text(d.action)) parts.push(`tried: ${text(d.action)!.replaceAll("_", " ")}`);
      break;
    case "application_registered":
      if (app) parts.push(app);
      if (d.redirectMode === "oob") parts.push("no redirect URL");
      if (list(d.scopes)) parts.push(`scopes ${list(d.scopes)}`);
      break;
    case "application_credentials_tested":
      if (app) parts.push(app);
      if (text(d.result)) parts.push(CREDENTIAL_RESULTS[text(d.result)!] ?? text(d.result)!);
      break;
    case "application_secret_replaced":
    case "application_disabled":
    case "application_enabled":
    case "application_deleted":
      if (app) parts.push(app);
      break;
    case "session_ended":
      if (who) parts.push(who);
      if (text(d.session)) parts.push(`session ${text(d.session)}`);
      break;
    case "user_sessions_ended":
      if (who) parts.push(who);
      if (typeof d.sessionsEnded === "number") parts.push(`${plural(d.sessionsEnded, "session", "sessions")} ended`);
      break;
    case "encryption_keys_rotated":
      if (typeof d.rotated === "number") parts.push(`${plural(d.rotated, "ciphertext", "ciphertexts")} re-encrypted`);
      if (text(d.currentKeyId)) parts.push(`under key ${text(d.currentKeyId)}`);
      if (typeof d.onOtherKeys === "number" && d.onOtherKeys > 0) parts.push(`${d.onOtherKeys} still under other keys`);
      break;
    case "email_binding_contested":
    case "email_binding_confirmed":
      if (who) parts.push(who);
      if (typeof d.boundApicbaseUserId === "number") parts.push(`was Apicbase user ${d.boundApicbaseUserId}`);
      if (typeof d.apicbaseUserId === "number") parts.push(`now Apicbase user ${d.apicbaseUserId}`);
      break;
    case "audit_log_exported":
    case "connections_exported":
      parts.push(text(d.filters) ? `filtered: ${text(d.filters)}` : "everything");
      break;
    default:
      // Connection events read as in the connection's History, with moments in UTC.
      const described = connectionEventParts({ event, detail: d, ...result }, (date) => formatAbsolute(date));
      if (described) parts.push(...described);
      else if (generic(d)) parts.push(generic(d));
  }
  return parts.join(" · ");
}
