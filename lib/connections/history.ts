import { formatAbsolute } from "@/lib/time";
import type { HistoryEventView } from "./view";

/** What each audit event of a connection means, in the words of its history table. */
const EVENT_LABELS: Record<string, string> = {
  connection_connected: "Connected",
  connection_imported: "Connected by token import",
  connection_updated: "Updated by a new approval",
  connection_reauthorized: "Re-authorized",
  connection_reauthorization_refused: "Re-authorization refused",
  connection_connect_failed: "Approval failed",
  connection_refreshed: "Refreshed",
  connection_refresh_failed: "Refresh failed",
  connection_verified: "Verified",
  connection_disconnected: "Disconnected",
  connection_revocation_pending: "Revocation pending",
  access_refused: "Access refused",
  authorization_link_created: "Authorization link created",
  authorization_link_withdrawn: "Authorization link withdrawn",
};

export function eventLabel(event: string): string {
  return EVENT_LABELS[event] ?? event.replace(/^connection_/, "").replaceAll("_", " ");
}

const str = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : null);

/**
 * A one-line summary of an event's detail. Only known fields are read: the audit log never holds a token, and the
 * page shows nothing it does not understand.
 */
export function eventSummary(entry: HistoryEventView): string {
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
        `${by ?? "The approving user"} approved with library ${str(d.approvedLibraryId) ?? "?"} active, not library ${str(d.expectedLibraryId) ?? "?"}`,
      );
      break;
    }
    case "connection_refreshed": {
      const expires = str(d.expiresAt);
      if (expires && !Number.isNaN(Date.parse(expires))) parts.push(`new access token valid until ${formatAbsolute(new Date(expires))}`);
      break;
    }
    case "connection_verified":
      if (typeof d.active === "boolean") parts.push(d.active ? "Apicbase: active" : "Apicbase: not active");
      if (str(d.activeLibraryId)) parts.push(`reaches library ${str(d.activeLibraryId)}`);
      break;
    case "connection_disconnected": {
      const revocation = str(d.revocation);
      if (revocation === "revoked") parts.push("grant revoked at Apicbase");
      else if (revocation === "unsupported") parts.push("Apicbase offers no revocation: tokens deleted on the portal");
      else if (revocation === "failed") parts.push("Apicbase did not revoke: tokens deleted on the portal");
      if (d.resumed === true) parts.push("finished after an interruption");
      const reason = str(d.reason);
      if (reason) parts.push(reason);
      break;
    }
    case "connection_revocation_pending":
      parts.push("Apicbase did not accept the revocation yet; the portal tries again");
      break;
  }
  if (entry.apicbaseError) parts.push(`Apicbase error: ${entry.apicbaseError}`);
  return parts.join(" · ");
}
