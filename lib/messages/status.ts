/**
 * Every word the portal shows about a connection's state, in one place: the badge, what it means and what to do,
 * the token's expiry, refreshes, verifications, drift and the actions' names. Domain code derives a state
 * (lib/connections/status.ts) and pages turn it into these words. Times arrive already formatted ("in 6 days
 * (4 Dec 2026, 11:00 CET)"), since only the page knows the viewer's clock and time zone.
 *
 * The portal's word for ending a connection is "Revoke": the button, the status, History, the audit log and the
 * README say it, whoever does it.
 */
import type { DisplayStatus, StaleReason } from "@/lib/connections/status";

export const STATUS_LABELS: Record<DisplayStatus, string> = {
  active: "Active",
  expiring_soon: "Expiring soon",
  expired_refreshable: "Expired, refreshable",
  refresh_failing: "Refresh failing",
  needs_reauthorization: "Needs re-authorization",
  revoking: "Revoking",
  revoked: "Revoked",
};

/** The status filter's choices, in the badges' order (built on the server and handed to the search form). */
export const STATUS_OPTIONS: { value: DisplayStatus; label: string }[] = (
  Object.entries(STATUS_LABELS) as [DisplayStatus, string][]
).map(([value, label]) => ({ value, label }));

/** What each state means for the partner, and what to do about it. */
export function statusAdvice(status: DisplayStatus, lastError: string | null): string {
  switch (status) {
    case "active":
      return "The access token is valid.";
    case "expiring_soon":
      return "The access token expires within a day. Refresh gets a new token pair.";
    case "expired_refreshable":
      return "The access token has expired, but the refresh token still works: Refresh gets a new token pair.";
    case "refresh_failing":
      return (
        `The background refreshes keep failing${lastError ? ` (${lastError})` : ""}. ` +
        "The current access token works until it expires; the portal keeps retrying. " +
        "Try Refresh, or Re-authorize if it keeps failing."
      );
    case "needs_reauthorization":
      return (
        "Apicbase no longer accepts this connection's tokens. Re-authorize it: the library's user approves again, " +
        "and the connection keeps its id and history."
      );
    case "revoking":
      return (
        "This connection is being revoked: nothing uses its tokens any more, and the portal keeps asking Apicbase to " +
        "revoke the grant."
      );
    case "revoked":
      return (
        "This connection was revoked: Apicbase was asked to revoke the grant and the portal deleted its tokens. " +
        "Re-authorize it to connect the library again."
      );
  }
}

/** The access token's column when there is no countdown. */
export const TOKEN_TEXT = {
  none: "No access token",
  rejected: "Not accepted by Apicbase: no countdown until it is re-authorized",
  notUsed: "Not used: being revoked",
  deleted: "Tokens deleted",
} as const;

export const REFRESH_TEXT = {
  never: "never",
  neverLong: "Never refreshed (tokens from the approval)",
  refreshed: "Refreshed",
  /** The engine's next attempt: "retrying in 5 minutes (…)", or, once that moment passed, "retry due since …". */
  retry: (at: string, due: boolean) => (due ? `retry due since ${at}` : `retrying ${at}`),
  /** One failed refresh that a person or the token API asked for: not yet the engine's concern. */
  lastFailed: (failedAt: string | null, retry: string | null, code: string | null) =>
    `Last refresh failed${failedAt ? ` ${failedAt}` : ""}${code ? ` (${code})` : ""}${retry ? `, ${retry}` : ""}. ` +
    "The access token still works until it expires.",
  failing: (failures: number, failedAt: string | null, retry: string | null, code: string | null) =>
    `${failures === 1 ? "A background refresh" : `${failures} refreshes in a row`} failed` +
    `${failedAt ? `, the last ${failedAt}` : ""}${code ? ` (${code})` : ""}${retry ? `; ${retry}` : ""}.`,
} as const;

const STALE: Record<StaleReason, string> = {
  refresh: "before the last refresh",
  new_tokens: "of the tokens held before the last approval",
  rejected: "before Apicbase refused the connection",
};

export const VERIFICATION_TEXT = {
  verified: "Verified",
  never: "never",
  neverLong: "Never verified",
  /** Revoked or being revoked: whatever a verification said was about tokens that are gone. */
  noTokens: "no tokens to verify",
  outcome: { active: "active", not_active: "not active", other_library: "reaches another library" },
  /** "(before the last refresh)": a result about tokens the connection no longer holds. */
  stale: (reason: StaleReason) => STALE[reason],
  apicbaseExpiry: "Apicbase's expiry",
  reachedLibrary: "Reached library",
} as const;

export const DRIFT_TEXT = {
  short: (reached: string, stale: StaleReason | null) =>
    stale ? `Library drift: reached ${reached} (${STALE[stale]})` : `Library drift: now reaches ${reached}`,
  detailed: (connected: string) =>
    `, not ${connected}. The approving user switched their active library in Apicbase, and Apicbase tokens follow ` +
    `it. Ask them to switch back, then verify again.`,
  library: (id: number, name: string | null) => (name ? `${name} (${id})` : `library ${id}`),
} as const;

/** The connection's actions: the names on the buttons and what a running one says. */
export const ACTION_TEXT = {
  refresh: { label: "Refresh", running: "Refreshing…" },
  verify: { label: "Verify", running: "Verifying…" },
  reauthorize: { label: "Re-authorize", running: "Opening Apicbase…" },
  revoke: {
    label: "Revoke",
    running: "Revoking…",
    confirm: "Yes, revoke",
    title: (library: string) => `Revoke ${library}?`,
  },
  /** Said while another action runs and the others wait. */
  busy: "Wait for the running action to finish.",
} as const;
