import { ApicbaseError } from "@/lib/apicbase/errors";

/**
 * Outcomes of the connect flow travel back to the page as a short key in the URL (never free text, so nobody can
 * make the portal display words of their choosing); the page turns the key into a sentence.
 */
export const CONNECT_ERRORS = {
  access_denied: "The approval was cancelled at Apicbase. Nothing was connected.",
  invalid_scope: "Apicbase refused the scopes this application asks for (invalid_scope). Nothing was connected.",
  state_mismatch:
    "This approval does not match a connect attempt started in this browser (it may be old or already used). " +
    "Nothing was connected: start again.",
  expired_attempt:
    "This connect attempt is no longer valid (it was started more than 15 minutes ago, in another browser, or " +
    "already finished). Start again.",
  code_rejected:
    "Apicbase refused the authorization code: it expired (codes live 60 seconds) or was already used. Start again.",
  invalid_client:
    "Apicbase rejected the application's client id or secret (invalid_client). An admin must correct the " +
    "application's credentials.",
  no_accounts_scope:
    "The approval lacks the accounts scope, so the portal cannot tell which library it reaches. Nothing was connected.",
  unreachable: "Apicbase could not be reached. Nothing was connected: try again in a minute.",
  timeout: "Apicbase did not answer in time. Nothing was connected: try again.",
  rate_limited: "Apicbase is rate limiting the portal. Nothing was connected: try again in a minute.",
  apicbase_error: "Apicbase answered with an error. Nothing was connected: try again.",
  library_mismatch:
    "The approving user's active library in Apicbase is another library than this connection's. Ask them to switch " +
    "their active library in Apicbase, then re-authorize again. The stray approval was revoked.",
  not_allowed: "You can no longer act for this organization. Nothing was connected.",
  not_found: "This connection no longer exists.",
  application_unavailable:
    "That application is disabled or no longer registered. Choose another one. Nothing was connected.",
  too_many_starts:
    "Too many connect attempts from this session: at most 30 in 10 minutes. Nothing was started: wait a few " +
    "minutes, then try again.",
} as const;
export type ConnectErrorKey = keyof typeof CONNECT_ERRORS;

export const CONNECT_NOTICES = {
  connected: (library: string) => `"${library}" is connected.`,
  // Also after a revoke: the library had a connection here (active or revoked), which now holds the new approval.
  updated: (library: string) =>
    `"${library}" is connected again under its existing connection of this organization (same id and history): the ` +
    `new approval replaced its tokens instead of adding a second connection.`,
  imported: (library: string) =>
    `"${library}" is connected with the imported tokens. The portal refreshes them from now on: the pair you ` +
    `pasted stops working at the first refresh.`,
  reauthorized: (library: string) =>
    `"${library}" is re-authorized: the connection keeps its id and history, with new tokens.`,
} as const;
export type ConnectNoticeKey = keyof typeof CONNECT_NOTICES;

export function isConnectErrorKey(value: string | undefined): value is ConnectErrorKey {
  return value !== undefined && Object.hasOwn(CONNECT_ERRORS, value);
}

export function isConnectNoticeKey(value: string | undefined): value is ConnectNoticeKey {
  return value !== undefined && Object.hasOwn(CONNECT_NOTICES, value);
}

export function connectErrorKey(error: unknown): ConnectErrorKey {
  if (!(error instanceof ApicbaseError)) return "apicbase_error";
  if (error.code === "authorization_error")
    return error.oauthError === "access_denied"
      ? "access_denied"
      : error.oauthError === "invalid_scope"
        ? "invalid_scope"
        : "apicbase_error";
  if (error.code === "state_mismatch") return "state_mismatch";
  if (error.code === "oauth_error")
    return error.oauthError === "invalid_grant"
      ? "code_rejected"
      : error.oauthError === "invalid_client"
        ? "invalid_client"
        : "apicbase_error";
  if (error.code === "forbidden" && error.endpoint === "api") return "no_accounts_scope";
  if (error.code === "timeout") return "timeout";
  if (error.code === "network") return "unreachable";
  if (error.code === "rate_limited") return "rate_limited";
  return "apicbase_error";
}
