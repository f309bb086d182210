import type { ConnectErrorKey, ConnectNoticeKey } from "@/lib/connections/notices";

/** What a connect flow's outcome key (lib/connections/notices.ts) says on the page it lands on. */
export const CONNECT_ERRORS: Record<ConnectErrorKey, string> = {
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
};

export const CONNECT_NOTICES: Record<ConnectNoticeKey, (library: string) => string> = {
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
};
