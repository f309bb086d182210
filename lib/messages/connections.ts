/**
 * What connecting, verifying, refreshing and revoking a connection say, in words. lib/connections and lib/lifecycle
 * decide what happened (a reason code and the facts); the sentences live here, next to the statuses' words.
 */
import { PORTAL_RESTARTING, type ConnectionCode, type Library, type Revocation } from "@/lib/connections/codes";
import { apicbaseProblemMessage } from "./apicbase";
import { CONNECTION_NOT_YOURS } from "./errors";

export { CONNECTION_NOT_YOURS, PORTAL_RESTARTING, type Revocation };

/** Re-authorized by someone whose active library in Apicbase is another one than the connection's. */
export function libraryMismatchMessage(approvedBy: string, approved: Library, expected: Library): string {
  return (
    `${approvedBy} approved with "${approved.name}" (${approved.id}) as active library in Apicbase, but this ` +
    `connection is for "${expected.name}" (${expected.id}). Ask them to switch their active library to ` +
    `"${expected.name}" in Apicbase, then re-authorize again. The stray approval was revoked.`
  );
}

export const CONNECTION_MESSAGES = {
  revoked: "This connection was revoked; re-authorize it to use it again.",
  noTokens: "This connection holds no tokens; re-authorize it.",
  tokenActive: "Apicbase confirms the access token is active.",
  restarting:
    "The portal is restarting, so it starts no call to Apicbase now. Try again in a few seconds; nothing was changed.",
  needsReauthorization: "This connection needs re-authorization before it can be refreshed.",
  refreshInProgress: "A refresh of this connection is already in progress. Its result will show here in a moment.",
  tokensUnreadable:
    "This connection's tokens cannot be decrypted with the configured TOKEN_ENCRYPTION_KEY; re-authorize it, " +
    "or restore the key.",
  refreshDiscarded:
    "Newer tokens were stored by another refresh or re-authorization meanwhile; this refresh was discarded.",
  tokenExpired: "The access token has expired; a refresh will renew it.",
  tokenRevoked:
    "Apicbase no longer accepts this connection's access token: it was revoked. Re-authorize the connection.",
  superseded:
    "Newer tokens were stored by another refresh or re-authorization meanwhile; this attempt changed nothing.",
  lostRotation:
    "Apicbase rotated this connection's tokens but its answer was lost on the way, so the new tokens never " +
    "arrived. Only a re-authorization brings the connection back.",
  interruptedUnknown:
    "An earlier refresh of this connection was interrupted, and Apicbase could not be asked whether it went " +
    "through. The portal asks again before refreshing; the current tokens may still work.",
  interruptedLost:
    "An earlier refresh of this connection was interrupted after Apicbase had rotated its tokens, so the new " +
    "tokens never reached the portal, and Apicbase no longer accepts the old ones (unless the library owner " +
    "removed the application meanwhile). Only a re-authorization brings the connection back.",
} as const;

/** Verify found a working token that reaches another library than the connected one. */
export function libraryDriftMessage(active: Library, connected: Library): string {
  return (
    `The token works, but its user's active library is now "${active.name}" (${active.id}), ` +
    `not "${connected.name}" (${connected.id}).`
  );
}

/** What the library owner does where the portal cannot revoke the grant itself. */
export const OWNER_REMOVES_APP =
  "The library owner can remove the application in Apicbase: signed in to Apicbase, under their account " +
  "settings' connected (authorized) applications, choose the application and revoke its access.";

export function alreadyRevokedMessage(libraryName: string): string {
  return `"${libraryName}" is already revoked; it holds no tokens.`;
}

/** A connection revoked before it ever held a grant at Apicbase (nothing to hand back). */
export function tokensDeletedMessage(libraryName: string): string {
  return `"${libraryName}" is revoked: its tokens are deleted.`;
}

/** Apicbase did not accept the revocation yet (`code`): the portal keeps trying. */
export function revocationPendingMessage(libraryName: string, code: string): string {
  const why =
    code === PORTAL_RESTARTING
      ? "the portal is restarting, so it did not ask Apicbase yet"
      : `Apicbase did not accept the revocation yet (${code})`;
  return (
    `"${libraryName}" is being revoked: nothing uses its tokens any more, but ${why}. The portal tries again ` +
    "every few minutes and deletes the tokens once Apicbase confirms, or after a day at the latest."
  );
}

export function disconnectedMessage(libraryName: string, revocation: Revocation): string {
  switch (revocation) {
    case "revoked":
      return `"${libraryName}" is revoked: Apicbase revoked the grant and the portal deleted its tokens.`;
    case "unsupported":
      return (
        `"${libraryName}" is revoked on the portal's side and its tokens are deleted. This Apicbase offers no ` +
        `revocation endpoint (it answered 404 or 405), so the grant may still be live there. ${OWNER_REMOVES_APP}`
      );
    case "failed":
      return (
        `"${libraryName}" is revoked on the portal's side and its tokens are deleted, but Apicbase did not revoke ` +
        `the grant. ${OWNER_REMOVES_APP}`
      );
    case "pending":
      return `"${libraryName}" is being revoked.`;
  }
}

/** A refused re-authorization, from the facts the audit log kept: who, with which library active, what to do. */
export function refusalMessage(
  refusal: { approvedBy: string | null; approvedLibrary: { id: number; name: string | null } | null },
  connection: { libraryId: number; libraryName: string },
): string {
  const who = refusal.approvedBy ?? "The approving user";
  const active = refusal.approvedLibrary
    ? `"${refusal.approvedLibrary.name ?? "library"}" (${refusal.approvedLibrary.id})`
    : "another library";
  const name = connection.libraryName;
  return (
    `${who} approved at Apicbase with ${active} as active library, but this connection is for "${name}" ` +
    `(${connection.libraryId}). Nothing was changed and the stray approval was revoked. Ask the owner of ` +
    `"${name}" to log in to Apicbase as themselves (log out there first if ${who} is still logged ` +
    `in), make "${name}" their active library, then re-authorize again.`
  );
}

/** Why a notification (webhook, e-mail) about a connection was sent, where no operation's answer says it. */
export const EVENT_REASONS = {
  reauthorized: "The library's user approved again: the connection has new tokens.",
  recoveredByApproval: "Re-authorized: the connection works again.",
  recoveredByRefresh: "A refresh succeeded again: the connection has a new token pair.",
  imported: "Imported from tokens generated in Apicbase.",
  approved: "Approved at Apicbase.",
} as const;

/** The revoke form's reason field (lib/connections/revoke.ts, `revokeReason`). */
export const REVOKE_REASON_TEXT = {
  missing: "Say why this connection is revoked.",
  empty: "Say why this connection is revoked: the organization and the audit log see it.",
  atLeast: (characters: number) => `Use at least ${characters} characters.`,
  atMost: (characters: number) => `Use at most ${characters} characters.`,
  characters: "Use letters, digits, spaces and punctuation only.",
} as const;

/** After an ambiguous refresh failed: what asking Apicbase about the stored access token found. */
const AFTER_REFRESH = {
  not_rotated: " The refresh did not happen at Apicbase; the current tokens still work.",
  rotation_unknown: " Whether Apicbase rotated the tokens is unknown; the portal asks Apicbase before trying again.",
} as const;

/**
 * The one place connection answers (lib/connections/codes.ts) become words: what the dashboard, the token API, bulk
 * jobs' items and notifications say.
 */
export function describeConnection(answer: ConnectionCode): string {
  switch (answer.code) {
    case "not_yours":
      return CONNECTION_NOT_YOURS;
    case "restarting":
      return CONNECTION_MESSAGES.restarting;
    case "refresh_restarting":
      return (
        `The portal is restarting, so it starts no refresh now. Try again in ${answer.retryAfterSeconds} seconds; ` +
        "the current tokens keep working meanwhile."
      );
    case "refresh_in_progress":
      return CONNECTION_MESSAGES.refreshInProgress;
    case "refresh_discarded":
      return CONNECTION_MESSAGES.refreshDiscarded;
    case "superseded":
      return CONNECTION_MESSAGES.superseded;
    case "revoked":
      return CONNECTION_MESSAGES.revoked;
    case "already_revoked":
      return alreadyRevokedMessage(answer.libraryName);
    case "no_tokens":
      return CONNECTION_MESSAGES.noTokens;
    case "needs_reauthorization":
      return CONNECTION_MESSAGES.needsReauthorization;
    case "tokens_unreadable":
      return CONNECTION_MESSAGES.tokensUnreadable;
    case "slow_down":
      return (
        `Apicbase asked the portal to slow down. Try again in ${answer.waitSeconds} seconds; the current tokens keep ` +
        `working.`
      );
    case "apicbase_error":
      return apicbaseProblemMessage(answer.problem) + (answer.refresh ? AFTER_REFRESH[answer.refresh] : "");
    case "lost_rotation":
      return CONNECTION_MESSAGES.lostRotation;
    case "interrupted_unknown":
      return CONNECTION_MESSAGES.interruptedUnknown;
    case "interrupted_lost":
      return CONNECTION_MESSAGES.interruptedLost;
    case "token_active":
      return CONNECTION_MESSAGES.tokenActive;
    case "token_expired":
      return CONNECTION_MESSAGES.tokenExpired;
    case "token_revoked":
      return CONNECTION_MESSAGES.tokenRevoked;
    case "library_drift":
      return libraryDriftMessage(answer.activeLibrary, answer.connectedLibrary);
    case "disconnected":
      return disconnectedMessage(answer.libraryName, answer.revocation);
    case "tokens_deleted":
      return tokensDeletedMessage(answer.libraryName);
    case "revocation_pending":
      return revocationPendingMessage(answer.libraryName, answer.apicbaseError);
    case "library_mismatch":
      return libraryMismatchMessage(answer.approvedBy, answer.approvedLibrary, answer.expectedLibrary);
  }
}
