import {
  AccessDenied,
  AdapterError,
  CallbackRouteError,
  InvalidCheck,
  OAuthAccountNotLinked,
  OAuthCallbackError,
} from "@auth/core/errors";
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { ApicbaseError, type ApicbaseErrorCode } from "@/lib/apicbase/errors";
import {
  AccountMismatchError,
  classifySignInFailure,
  describeForLog,
  failureFromQuery,
  SIGN_IN_FAILURE_MESSAGES,
  SIGN_IN_FAILURES,
} from "./sign-in-failures";

/**
 * Auth.js's error classes as its runtime builds them (the published types declare only `(message?: string)`): an
 * Error as first argument lands under `cause.err`, an options object is passed through.
 */
type AuthErrorClass = new (message?: unknown, options?: unknown) => Error;
const build = (Class: unknown, message: unknown, options?: unknown) => new (Class as AuthErrorClass)(message, options);

/** How Auth.js hands an error from inside the callback to its logger. */
const fromCallback = (error: Error) => build(CallbackRouteError, error, { provider: "apicbase" });
const apicbase = (code: ApicbaseErrorCode, extra: Partial<ConstructorParameters<typeof ApicbaseError>[0]> = {}) =>
  new ApicbaseError({ code, endpoint: "api", message: `Apicbase ${code}`, ...extra });

function stateMismatch(): unknown {
  const as = { issuer: "http://apicbase.test" };
  try {
    oauth.validateAuthResponse(
      as,
      { client_id: "portal" },
      new URLSearchParams({ code: "abc", state: "theirs" }),
      "ours",
    );
  } catch (error) {
    return error;
  }
  throw new Error("expected a state mismatch");
}

function tokenEndpointError(error: string, status: number) {
  return new oauth.ResponseBodyError("server responded with an error in the response body", {
    cause: { error },
    response: new Response(null, { status }),
  });
}

describe("classifySignInFailure", () => {
  it("tells what Apicbase said on the way back, once Auth.js has checked the state", () => {
    const error = build(OAuthCallbackError, "OAuth Provider returned an error", { providerId: "apicbase" });
    expect(classifySignInFailure(error, "access_denied")).toEqual({ failure: "access_denied" });
    expect(classifySignInFailure(error, "invalid_scope")).toEqual({ failure: "invalid_scope" });
    expect(classifySignInFailure(error, "temporarily_unavailable")).toEqual({
      failure: "authorization_error",
      code: "temporarily_unavailable",
    });
    // Whatever was typed into the URL is never shown back.
    expect(classifySignInFailure(error, "<img src=x onerror=alert(1)>")).toEqual({
      failure: "authorization_error",
      code: undefined,
    });
  });

  it("recognizes a missing, forged or foreign state", () => {
    expect(classifySignInFailure(new InvalidCheck("state cookie was missing")).failure).toBe("state_mismatch");
    expect(classifySignInFailure(fromCallback(stateMismatch() as Error)).failure).toBe("state_mismatch");
  });

  it("recognizes an unreachable or slow Apicbase, at the token endpoint or the API", () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    expect(classifySignInFailure(fromCallback(refused)).failure).toBe("apicbase_unreachable");
    expect(classifySignInFailure(fromCallback(new DOMException("timed out", "TimeoutError"))).failure).toBe(
      "apicbase_unreachable",
    );
    expect(classifySignInFailure(fromCallback(apicbase("network"))).failure).toBe("apicbase_unreachable");
    expect(classifySignInFailure(fromCallback(apicbase("timeout"))).failure).toBe("apicbase_unreachable");
  });

  it("names the token endpoint's refusals", () => {
    expect(classifySignInFailure(fromCallback(tokenEndpointError("invalid_grant", 400))).failure).toBe("code_rejected");
    expect(classifySignInFailure(fromCallback(tokenEndpointError("invalid_client", 401))).failure).toBe(
      "client_rejected",
    );
    expect(classifySignInFailure(fromCallback(tokenEndpointError("server_error", 500)))).toEqual({
      failure: "apicbase_error",
      code: "server_error",
    });
  });

  it("names the API's refusals while the profile is read", () => {
    expect(classifySignInFailure(fromCallback(apicbase("forbidden", { status: 403 }))).failure).toBe("missing_scope");
    expect(classifySignInFailure(fromCallback(apicbase("rate_limited", { status: 429 }))).failure).toBe(
      "apicbase_busy",
    );
    expect(classifySignInFailure(fromCallback(apicbase("server_error", { status: 502 }))).failure).toBe(
      "apicbase_error",
    );
  });

  it("recognizes a sign-in that would merge two Apicbase users", () => {
    expect(
      classifySignInFailure(build(AdapterError, new AccountMismatchError("signed in as someone else"))).failure,
    ).toBe("account_conflict");
    expect(classifySignInFailure(new OAuthAccountNotLinked("already linked")).failure).toBe("account_conflict");
  });

  it("calls anything else unexpected", () => {
    expect(classifySignInFailure(new AccessDenied("no")).failure).toBe("refused");
    expect(classifySignInFailure(fromCallback(new Error("boom"))).failure).toBe("unexpected");
    expect(classifySignInFailure("a string").failure).toBe("unexpected");
    expect(classifySignInFailure(undefined).failure).toBe("unexpected");
  });
});

describe("the error page's words", () => {
  it("has a title, an explanation and an action for every failure", () => {
    for (const failure of SIGN_IN_FAILURES) {
      const { title, explanation, action } = SIGN_IN_FAILURE_MESSAGES[failure];
      expect(title.length, failure).toBeGreaterThan(5);
      expect(explanation.endsWith("."), failure).toBe(true);
      expect(action.endsWith("."), failure).toBe(true);
    }
    expect(SIGN_IN_FAILURE_MESSAGES.access_denied.explanation).toContain("You cancelled the approval at Apicbase");
    expect(SIGN_IN_FAILURE_MESSAGES.access_denied.action).toBe("Sign in again when you're ready.");
  });

  it("reads the failure from the URL: the portal's reason first, then Auth.js's error type", () => {
    expect(failureFromQuery({ reason: "access_denied", error: "Configuration" })).toBe("access_denied");
    expect(failureFromQuery({ reason: "made_up", error: "OAuthCallbackError" })).toBe("authorization_error");
    expect(failureFromQuery({ error: "AccessDenied" })).toBe("refused");
    expect(failureFromQuery({ error: "Configuration" })).toBe("unexpected");
    expect(failureFromQuery({ error: "constructor" })).toBe("unexpected");
    expect(failureFromQuery({})).toBe("unexpected");
  });
});

describe("describeForLog", () => {
  it("names the errors, never what they carry", () => {
    const secret = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5";
    const error = fromCallback(new Error(`token ${secret} was refused`, { cause: { body: secret } }));
    const line = describeForLog(error);
    expect(line).toBe("CallbackRouteError <- Error");
    expect(line).not.toContain(secret);
  });
});
