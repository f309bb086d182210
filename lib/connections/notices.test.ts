import { describe, expect, it } from "vitest";
import { ApicbaseError, type ApicbaseEndpointName, type ApicbaseErrorCode } from "@/lib/apicbase/errors";
import { connectErrorKey } from "./notices";

const apicbaseError = (code: ApicbaseErrorCode, oauthError?: string, endpoint: ApicbaseEndpointName = "token") =>
  new ApicbaseError({ code, endpoint, message: "test", oauthError });

describe("connectErrorKey", () => {
  it.each([
    [apicbaseError("authorization_error", "access_denied", "authorize"), "access_denied"],
    [apicbaseError("authorization_error", "invalid_scope", "authorize"), "invalid_scope"],
    [apicbaseError("authorization_error", "server_error", "authorize"), "apicbase_error"],
    [apicbaseError("authorization_error", undefined, "authorize"), "apicbase_error"],
    [apicbaseError("oauth_error", "invalid_grant"), "code_rejected"],
    [apicbaseError("oauth_error", "invalid_client"), "invalid_client"],
    [apicbaseError("oauth_error", "access_denied"), "apicbase_error"],
    [apicbaseError("oauth_error", "constructor"), "apicbase_error"],
    [apicbaseError("state_mismatch"), "state_mismatch"],
    [apicbaseError("forbidden", undefined, "api"), "no_accounts_scope"],
    [apicbaseError("forbidden", undefined, "introspect"), "apicbase_error"],
    [apicbaseError("timeout"), "timeout"],
    [apicbaseError("network"), "unreachable"],
    [apicbaseError("rate_limited"), "rate_limited"],
    [apicbaseError("server_error"), "apicbase_error"],
    [new Error("not from Apicbase"), "apicbase_error"],
  ])("turns %s into %s", (error, key) => {
    expect(connectErrorKey(error)).toBe(key);
  });
});
