import { ApicbaseError } from "@/lib/apicbase/errors";

/**
 * Outcomes of the connect flow travel back to the page as a short key in the URL (never free text, so nobody can
 * make the portal display words of their choosing); the page turns the key into a sentence (lib/messages/connect.ts).
 */
export const CONNECT_ERROR_KEYS = [
  "access_denied",
  "invalid_scope",
  "state_mismatch",
  "expired_attempt",
  "code_rejected",
  "invalid_client",
  "no_accounts_scope",
  "unreachable",
  "timeout",
  "rate_limited",
  "apicbase_error",
  "library_mismatch",
  "not_allowed",
  "not_found",
  "application_unavailable",
  "too_many_starts",
] as const;
export type ConnectErrorKey = (typeof CONNECT_ERROR_KEYS)[number];

/** What a connect flow that succeeded did. */
export const CONNECT_NOTICE_KEYS = ["connected", "updated", "imported", "reauthorized"] as const;
export type ConnectNoticeKey = (typeof CONNECT_NOTICE_KEYS)[number];

export function isConnectErrorKey(value: string | undefined): value is ConnectErrorKey {
  return (CONNECT_ERROR_KEYS as readonly (string | undefined)[]).includes(value);
}

export function isConnectNoticeKey(value: string | undefined): value is ConnectNoticeKey {
  return (CONNECT_NOTICE_KEYS as readonly (string | undefined)[]).includes(value);
}

/** The OAuth error codes with a key of their own, by where Apicbase sent them; any other is "apicbase_error". */
const OAUTH_ERROR_KEYS: Partial<Record<ApicbaseError["code"], ReadonlyMap<string | undefined, ConnectErrorKey>>> = {
  authorization_error: new Map([
    ["access_denied", "access_denied"],
    ["invalid_scope", "invalid_scope"],
  ]),
  oauth_error: new Map([
    ["invalid_grant", "code_rejected"],
    ["invalid_client", "invalid_client"],
  ]),
};

export function connectErrorKey(error: unknown): ConnectErrorKey {
  if (!(error instanceof ApicbaseError)) return "apicbase_error";
  const oauthKeys = OAUTH_ERROR_KEYS[error.code];
  if (oauthKeys) return oauthKeys.get(error.oauthError) ?? "apicbase_error";
  if (error.code === "state_mismatch") return "state_mismatch";
  if (error.code === "forbidden" && error.endpoint === "api") return "no_accounts_scope";
  if (error.code === "timeout") return "timeout";
  if (error.code === "network") return "unreachable";
  if (error.code === "rate_limited") return "rate_limited";
  return "apicbase_error";
}
