import type { ConnectionStatus } from "@/lib/db/schema";

/**
 * A connection's displayed state, derived in this one place from its stored facts and the moment it is shown. The
 * dashboard, the detail page, the admin lists, the token API's list and the History read it from here; the SQL
 * filters and counts (lib/connections/queries.ts) mirror `status`, and a test holds them to agreeing.
 *
 * Pure and free of server imports: the browser runs it every second with its own clock.
 */

/** A connection's state as partners read it: the stored status refined by the access token and the refreshes. */
export type DisplayStatus =
  | "active"
  | "expiring_soon"
  | "expired_refreshable"
  | "refresh_failing"
  | "needs_reauthorization"
  | "revoking"
  | "revoked";

export const DISPLAY_STATUSES: readonly DisplayStatus[] = [
  "active",
  "expiring_soon",
  "expired_refreshable",
  "refresh_failing",
  "needs_reauthorization",
  "revoking",
  "revoked",
];

/** Access tokens live 7 days; within the last day one counts as expiring soon. */
export const EXPIRING_SOON_MS = 24 * 3600 * 1000;

/** What the portal knows about a connection; the optional facts default to "nothing known". */
export type ConnectionFacts = {
  status: ConnectionStatus;
  libraryId?: number;
  accessTokenExpiresAt: Date | null;
  lastRefreshedAt?: Date | null;
  /** An Apicbase error code of the last failed refresh, cleared by a success. */
  lastRefreshError?: string | null;
  lastRefreshFailedAt?: Date | null;
  refreshFailureCount?: number;
  /**
   * Failed retries of the background engine since the last success. Unknown (undefined) counts as failing, so a
   * caller that does not read it never hides a failing connection.
   */
  backgroundRefreshFailures?: number;
  /** When the engine tries again. */
  nextRefreshAt?: Date | null;
  lastVerifiedAt?: Date | null;
  lastVerification?: { active: boolean; library: { id: number; name: string } | null } | null;
  /** Whether the last verification examined the tokens held now (its token version is the current one). */
  verificationCurrent?: boolean;
  /** The library the token reached at the last verification that saw another one than the connected library. */
  observedLibrary?: { id: number; name: string | null } | null;
};

/** Why a verification (or the drift it saw) is about tokens the connection no longer holds. */
export type StaleReason = "refresh" | "new_tokens" | "rejected";

export type TokenState =
  /** Believed usable: the only case with a countdown. */
  | { kind: "usable"; expiresAt: Date }
  /** Expired, but the refresh token is believed to work. */
  | { kind: "expired"; expiresAt: Date | null }
  /** Apicbase no longer accepts the grant. */
  | { kind: "rejected" }
  /** Being revoked: nothing uses the tokens. */
  | { kind: "not_used" }
  | { kind: "deleted" };

export type RefreshState =
  | { kind: "ok" }
  /** One or more refreshes asked for by a person or the token API failed; the engine has not failed yet. */
  | { kind: "last_failed"; failedAt: Date | null; retryAt: Date | null; code: string | null }
  /** The background engine's own retries fail. */
  | { kind: "failing"; failedAt: Date | null; retryAt: Date | null; code: string | null; failures: number };

export type VerificationState = {
  at: Date;
  outcome: "active" | "not_active" | "other_library";
  library: { id: number; name: string } | null;
  /** Null: about the tokens held now. */
  stale: StaleReason | null;
};

export type DriftState = { libraryId: number; libraryName: string | null; stale: StaleReason | null };

export type ConnectionState = {
  status: DisplayStatus;
  token: TokenState;
  refresh: RefreshState;
  verification: VerificationState | null;
  drift: DriftState | null;
  /** What can be done now (a person may still try others: the server checks again). */
  can: { refresh: boolean; verify: boolean; reauthorize: boolean; revoke: boolean };
};

function staleReason(facts: ConnectionFacts): StaleReason | null {
  const verifiedAt = facts.lastVerifiedAt;
  if (facts.verificationCurrent) {
    // Same tokens, but Apicbase refused them since: an "active" from before says nothing any more.
    if (facts.status === "needs_reauthorization" && facts.lastVerification?.active) return "rejected";
    return null;
  }
  if (verifiedAt && facts.lastRefreshedAt && facts.lastRefreshedAt.getTime() >= verifiedAt.getTime()) return "refresh";
  return "new_tokens";
}

export function deriveConnectionState(facts: ConnectionFacts, now: Date): ConnectionState {
  const { status } = facts;
  const gone = status === "revoked" || status === "revoking";
  const expiresAt = facts.accessTokenExpiresAt;
  const expired = !expiresAt || expiresAt.getTime() <= now.getTime();
  const engineFailing = status === "refresh_failing" && (facts.backgroundRefreshFailures ?? 1) > 0;

  let display: DisplayStatus;
  if (status === "revoked" || status === "revoking" || status === "needs_reauthorization") display = status;
  else if (engineFailing) display = "refresh_failing";
  else if (expired) display = "expired_refreshable";
  else if (expiresAt.getTime() - now.getTime() <= EXPIRING_SOON_MS) display = "expiring_soon";
  else display = "active";

  const token: TokenState =
    status === "revoked"
      ? { kind: "deleted" }
      : status === "revoking"
        ? { kind: "not_used" }
        : status === "needs_reauthorization"
          ? { kind: "rejected" }
          : expired
            ? { kind: "expired", expiresAt }
            : { kind: "usable", expiresAt };

  const failure = {
    failedAt: facts.lastRefreshFailedAt ?? null,
    retryAt: facts.nextRefreshAt ?? null,
    code: facts.lastRefreshError ?? null,
  };
  const refresh: RefreshState =
    status !== "refresh_failing"
      ? { kind: "ok" }
      : engineFailing
        ? { kind: "failing", ...failure, failures: facts.refreshFailureCount ?? 1 }
        : { kind: "last_failed", ...failure };

  const stale = staleReason(facts);
  const seen = facts.lastVerification;
  const verification: VerificationState | null =
    gone || !seen || !facts.lastVerifiedAt
      ? null
      : {
          at: facts.lastVerifiedAt,
          outcome: !seen.active
            ? "not_active"
            : seen.library && facts.libraryId !== undefined && seen.library.id !== facts.libraryId
              ? "other_library"
              : "active",
          library: seen.library,
          stale,
        };

  const observed = facts.observedLibrary;
  const drift: DriftState | null =
    gone || !observed || observed.id === facts.libraryId
      ? null
      : { libraryId: observed.id, libraryName: observed.name, stale: stale === "rejected" ? null : stale };

  return {
    status: display,
    token,
    refresh,
    verification,
    drift,
    can: {
      // Offered while Apicbase refuses the grant too: the click says why it cannot work (re-authorize).
      refresh: !gone,
      verify: !gone,
      reauthorize: true,
      // A connection stuck in `revoking` can be asked again; a revoked one has nothing left to revoke.
      revoke: status !== "revoked",
    },
  };
}

/** The status alone, for lists and the token API. */
export function displayStatus(facts: ConnectionFacts, now: Date): DisplayStatus {
  return deriveConnectionState(facts, now).status;
}
