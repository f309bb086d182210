/**
 * What connecting, verifying, refreshing and revoking a connection answer, as codes with their facts: lib/connections
 * and lib/lifecycle decide what happened, lib/messages/connections.ts (`describeConnection`) puts it in words.
 */
import type { ApicbaseProblem } from "@/lib/apicbase/errors";

export type Library = { id: number; name: string };

/** How revoking a connection ended at Apicbase's side. */
export type Revocation = "revoked" | "unsupported" | "failed" | "pending";

/** Why a connection operation did nothing. */
export type FailureCode =
  /** The connection does not exist, or belongs to another organization (the same answer for both). */
  | { code: "not_yours" }
  /** The process is shutting down and starts no call to Apicbase. */
  | { code: "restarting" }
  /** The process is shutting down and starts no refresh; the caller may try again after `retryAfterSeconds`. */
  | { code: "refresh_restarting"; retryAfterSeconds: number }
  /** Another process holds the refresh lease, longer than the caller waits. */
  | { code: "refresh_in_progress" }
  /** A newer pair was stored meanwhile: the rotated pair of this refresh was discarded. */
  | { code: "refresh_discarded" }
  /** A newer pair was stored meanwhile: this failed attempt changed nothing. */
  | { code: "superseded" }
  | { code: "revoked" }
  | { code: "already_revoked"; libraryName: string }
  | { code: "no_tokens" }
  | { code: "needs_reauthorization" }
  /** The stored tokens cannot be decrypted with the configured keys. */
  | { code: "tokens_unreadable" }
  /** The portal's own refresh budget for clicks and API calls is spent for `waitSeconds`. */
  | { code: "slow_down"; waitSeconds: number }
  /**
   * Apicbase (or the portal) failed the call. After an ambiguous refresh, `refresh` says what the probe found: the
   * refresh did not happen (`not_rotated`), or whether it did is unknown (`rotation_unknown`).
   */
  | { code: "apicbase_error"; problem: ApicbaseProblem; refresh?: "not_rotated" | "rotation_unknown" }
  /** A refresh's rotation happened at Apicbase but its answer was lost. */
  | { code: "lost_rotation" }
  /** An interrupted refresh, and Apicbase could not be asked whether it rotated the tokens. */
  | { code: "interrupted_unknown" }
  /** An interrupted refresh that had rotated the tokens: the new pair never arrived. */
  | { code: "interrupted_lost" };

/** What "Verify" found: the access token works, expired, or was revoked; or works for another library. */
export type VerifyCode =
  | { code: "token_active" | "token_expired" | "token_revoked" }
  | { code: "library_drift"; activeLibrary: Library; connectedLibrary: Library };

/** How a revoke ended, for the library it was asked for. */
export type RevokeCode =
  /** Finished: the grant's fate at Apicbase is `revocation`. */
  | { code: "disconnected"; libraryName: string; revocation: Revocation }
  /** Finished by someone else meanwhile (another process's sweep): the tokens are gone. */
  | { code: "tokens_deleted"; libraryName: string }
  /** Recorded, not yet accepted by Apicbase (`apicbaseError`, or PORTAL_RESTARTING): the sweep keeps trying. */
  | { code: "revocation_pending"; libraryName: string; apicbaseError: string };

/** A re-authorization approved by someone whose active library in Apicbase is another one than the connection's. */
export type MismatchCode = {
  code: "library_mismatch";
  /** Who approved (their e-mail), with which library active, and the connection's library. */
  approvedBy: string;
  approvedLibrary: Library;
  expectedLibrary: Library;
};

/** Every connection answer that has words. */
export type ConnectionCode = FailureCode | VerifyCode | RevokeCode | MismatchCode;

/**
 * Why a pasted pair was refused, with the facts lib/messages/token-import.ts (`describeImportRefusal`)
 * words:
 * the chosen application's name, the issuing one's, what Apicbase said.
 */
export type ImportRefusalCode =
  | { reason: "other_application"; applicationName: string; issuedTo: string }
  | { reason: "inactive"; applicationName: string }
  | { reason: "refresh_lost" }
  | { reason: "no_accounts_scope" }
  /** Apicbase (or the portal) failed; refusing the chosen application's credentials is told as such. */
  | { reason: "apicbase"; problem: ApicbaseProblem; applicationName: string };

/** A revocation asked for while the portal was shutting down: recorded, not yet sent to Apicbase. */
export const PORTAL_RESTARTING = "portal_restarting";

/** How long Apicbase keeps an authorization code, counted from when it showed it. */
export const CODE_LIFETIME_SECONDS = 60;

/** Why a pasted manual code was refused before anything was sent (lib/connections/manual-code.ts). */
export type ManualCodeRefusal = "empty" | "too_long" | "denied" | "wrong_shape" | "several";

/** Why Apicbase refused a well-formed pasted code (it only says invalid_grant), from what the page knows. */
export type RefusedCodeReason = "never_opened" | "too_late" | "expired_or_used";
