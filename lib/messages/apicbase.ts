import type { ApicbaseProblem } from "@/lib/apicbase/errors";

/**
 * What a partner reads when Apicbase says no, from a failure's facts as domain results carry them
 * (lib/apicbase/errors.ts): what happened and what to do, never a token or raw body.
 */
export function apicbaseProblemMessage(error: ApicbaseProblem): string {
  switch (error.code) {
    case "portal_error":
      return "Something went wrong on the portal's side. Nothing was changed: try again.";
    case "oauth_error":
      switch (error.oauthError) {
        case "invalid_grant":
          return error.endpoint === "token" && error.status === 400
            ? "Apicbase no longer accepts this connection's refresh token (invalid_grant): re-authorize it."
            : "Apicbase refused the grant (invalid_grant): re-authorize the connection.";
        case "invalid_client":
          return (
            "Apicbase rejected the application's client id or secret (invalid_client). The connection itself is not " +
            "at fault: an admin must correct the application's credentials."
          );
        case "invalid_scope":
          return "Apicbase refused the requested scopes (invalid_scope). Check the scopes the application asks for.";
        default:
          return `Apicbase refused the request (${error.oauthError}). Nothing was changed.`;
      }
    case "authorization_error":
      if (error.oauthError === "access_denied") return "The approval was cancelled at Apicbase. Nothing was connected.";
      if (error.oauthError === "invalid_scope")
        return "Apicbase refused the requested scopes (invalid_scope). Nothing was connected.";
      return `Apicbase refused the authorization (${error.oauthError}). Nothing was connected.`;
    case "state_mismatch":
      return (
        "This approval does not match a connect attempt started in this browser (it may be old or already used). " +
        "Start again."
      );
    case "rate_limited":
      return `Apicbase is rate limiting the portal. Try again in ${error.retryAfterSeconds ?? 60} seconds.`;
    case "server_error":
      return `Apicbase had an internal error (HTTP ${error.status}). Try again in a few minutes.`;
    case "timeout":
      return "Apicbase did not answer in time. Try again.";
    case "network":
      return error.ambiguous
        ? "The connection to Apicbase broke before its answer arrived. Try again."
        : "Apicbase could not be reached. Nothing was changed: try again in a minute.";
    case "invalid_response":
      return (
        "Apicbase sent an answer the portal could not read. Try again; if it persists, Apicbase may be having " +
        "problems."
      );
    case "unauthorized":
      return "Apicbase no longer accepts this connection's access token.";
    case "forbidden":
      return error.clientCredentials
        ? "Apicbase rejected the application's client id or secret. The connection itself is not at fault: an admin " +
            "must correct the application's credentials."
        : "The connection lacks the scope needed for this (the accounts scope), or the user lost access in Apicbase.";
    case "not_found":
      return "This Apicbase endpoint does not exist at the configured address.";
  }
}
