import { isApicbaseError } from "@/lib/apicbase/errors";

/** Why a sign-in ended on the error page; the only values the error page accepts. */
export const SIGN_IN_FAILURES = [
  "access_denied",
  "invalid_scope",
  "authorization_error",
  "state_mismatch",
  "apicbase_unreachable",
  "apicbase_busy",
  "apicbase_error",
  "code_rejected",
  "client_rejected",
  "missing_scope",
  "account_conflict",
  "too_many_attempts",
  "refused",
  "unexpected",
] as const;
export type SignInFailure = (typeof SIGN_IN_FAILURES)[number];

export type SignInFailureMessage = { title: string; explanation: string; action: string };

const ADMIN = "your portal administrator";

export const SIGN_IN_FAILURE_MESSAGES: Record<SignInFailure, SignInFailureMessage> = {
  access_denied: {
    title: "Sign-in cancelled",
    explanation: "You cancelled the approval at Apicbase, so the portal did not sign you in.",
    action: "Sign in again when you're ready.",
  },
  invalid_scope: {
    title: "Apicbase refused the requested permissions",
    explanation: "Apicbase does not let the portal's application ask for the permissions (scopes) it requested.",
    action: `Tell ${ADMIN}: APICBASE_SCOPES may only list scopes the partner application is allowed to request.`,
  },
  authorization_error: {
    title: "Apicbase refused the sign-in",
    explanation: "Apicbase answered the sign-in request with an error instead of an approval.",
    action: `Try again in a few minutes. If it keeps happening, tell ${ADMIN} the error code below.`,
  },
  state_mismatch: {
    title: "This sign-in could not be verified",
    explanation:
      "The answer from Apicbase does not belong to a sign-in started in this browser. That happens when the " +
      "sign-in took longer than 15 minutes, was started in another tab or browser, or the page was reloaded.",
    action: "Start again from the sign-in page.",
  },
  apicbase_unreachable: {
    title: "Apicbase could not be reached",
    explanation: "The portal could not reach Apicbase, or Apicbase did not answer in time.",
    action: "Try again in a few minutes.",
  },
  apicbase_busy: {
    title: "Apicbase asked the portal to slow down",
    explanation: "Apicbase is limiting how many requests the portal may send right now.",
    action: "Wait a minute, then sign in again.",
  },
  apicbase_error: {
    title: "Apicbase answered with an error",
    explanation: "Apicbase's answer could not be used: a server error or a response the portal does not understand.",
    action: `Try again in a few minutes. If it keeps happening, tell ${ADMIN}.`,
  },
  code_rejected: {
    title: "Apicbase did not accept the sign-in code",
    explanation: "The one-time code from Apicbase expired or was already used. Codes are valid for 60 seconds.",
    action: "Sign in again.",
  },
  client_rejected: {
    title: "Apicbase did not accept the portal's credentials",
    explanation: "Apicbase rejected the client id or secret of the portal's application.",
    action:
      `Tell ${ADMIN}: AUTH_APICBASE_ID and AUTH_APICBASE_SECRET ` +
      "must match the application registered with Apicbase.",
  },
  missing_scope: {
    title: "Apicbase did not say who you are",
    explanation:
      'To sign you in, the portal needs the "accounts" permission to look up your Apicbase user, ' +
      "and Apicbase refused it.",
    action: `Tell ${ADMIN}: APICBASE_SCOPES must include "accounts".`,
  },
  account_conflict: {
    title: "You are signed in as someone else",
    explanation: "This browser is already signed in to the portal as another Apicbase user.",
    action: "Sign out first, then sign in with the other account.",
  },
  too_many_attempts: {
    title: "Too many sign-in attempts",
    explanation:
      "Too many sign-ins were started from your network address within 10 minutes, so the portal pauses new " +
      "ones for a while. This protects your account against automated attempts.",
    action: "Wait until the time below, then sign in again.",
  },
  refused: {
    title: "Sign-in refused",
    explanation: "The portal refused this sign-in: Apicbase did not give it a complete user profile.",
    action: `Sign in again. If it keeps happening, tell ${ADMIN}.`,
  },
  unexpected: {
    title: "Sign-in failed",
    explanation: "Something went wrong on the portal's side while signing you in.",
    action: `Try again. If it keeps happening, tell ${ADMIN} the time shown below.`,
  },
};

/** Auth.js's own `?error=` values (the types of its client-safe errors), for links that carry no reason. */
const AUTHJS_ERROR_TYPES: Record<string, SignInFailure> = {
  OAuthCallbackError: "authorization_error",
  AccessDenied: "refused",
  OAuthAccountNotLinked: "account_conflict",
  AccountNotLinked: "account_conflict",
  MissingCSRF: "state_mismatch",
  Configuration: "unexpected",
};

export function isSignInFailure(value: unknown): value is SignInFailure {
  return typeof value === "string" && (SIGN_IN_FAILURES as readonly string[]).includes(value);
}

/** The failure an error page URL names: our `reason`, else Auth.js's `error`, else unexpected. */
export function failureFromQuery(query: { reason?: unknown; error?: unknown }): SignInFailure {
  if (isSignInFailure(query.reason)) return query.reason;
  if (typeof query.error === "string" && Object.hasOwn(AUTHJS_ERROR_TYPES, query.error)) {
    return AUTHJS_ERROR_TYPES[query.error] ?? "unexpected";
  }
  return "unexpected";
}

/** An OAuth error code worth showing: only the RFC 6749 shape, so nothing an attacker typed is reflected. */
export function displayableErrorCode(value: unknown): string | undefined {
  return typeof value === "string" && /^[a-z_]{1,40}$/.test(value) ? value : undefined;
}

/** Thrown by the portal's adapter when a sign-in would attach an Apicbase user to another portal user. */
export class AccountMismatchError extends Error {
  override name = "AccountMismatchError";
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

type Classified = { failure: SignInFailure; code?: string };

function classifyOne(node: object, apicbaseCode: string | undefined): Classified | undefined {
  const { name, type, code, error, status } = node as Record<string, unknown>;
  if (type === "OAuthCallbackError") {
    if (apicbaseCode === "access_denied") return { failure: "access_denied" };
    if (apicbaseCode === "invalid_scope") return { failure: "invalid_scope" };
    return { failure: "authorization_error", code: displayableErrorCode(apicbaseCode) };
  }
  if (type === "InvalidCheck" || type === "MissingCSRF") return { failure: "state_mismatch" };
  if (type === "OAuthAccountNotLinked" || type === "AccountNotLinked" || name === "AccountMismatchError") {
    return { failure: "account_conflict" };
  }
  if (type === "AccessDenied" || type === "OAuthProfileParseError") return { failure: "refused" };
  if (isApicbaseError(node)) {
    if (node.code === "network" || node.code === "timeout") return { failure: "apicbase_unreachable" };
    if (node.code === "rate_limited") return { failure: "apicbase_busy" };
    if (node.code === "forbidden" && node.endpoint === "api") return { failure: "missing_scope" };
    if (node.isClientCredentialsError) return { failure: "client_rejected" };
    return { failure: "apicbase_error", code: displayableErrorCode(node.oauthError) };
  }
  if (name === "ResponseBodyError") {
    if (error === "invalid_grant") return { failure: "code_rejected" };
    if (error === "invalid_client") return { failure: "client_rejected" };
    if (status === 429) return { failure: "apicbase_busy" };
    return { failure: "apicbase_error", code: displayableErrorCode(error) };
  }
  if (name === "OperationProcessingError") {
    const message = (node as Error).message;
    if (message.includes('"state"')) return { failure: "state_mismatch" };
    return { failure: "apicbase_error" };
  }
  if (name === "TimeoutError" || (typeof code === "string" && NETWORK_CODES.has(code))) {
    return { failure: "apicbase_unreachable" };
  }
  return undefined;
}

/** The error, then what it wraps: Auth.js keeps the original under `cause.err`, Node under `cause`. */
function* chain(error: unknown): Generator<object> {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current && typeof current === "object"; depth++) {
    yield current;
    const cause: unknown = (current as { cause?: unknown }).cause;
    const wrapped = cause && typeof cause === "object" && "err" in cause ? (cause as { err: unknown }).err : undefined;
    current = wrapped ?? cause;
  }
}

/**
 * Names what went wrong in a failed sign-in, from the error Auth.js (or the portal) threw. Auth.js drops the
 * `error` Apicbase sent to the callback, so the caller passes it: it is only read once Auth.js has thrown
 * OAuthCallbackError, which it does after the state check passed.
 */
export function classifySignInFailure(error: unknown, callbackError?: string | null): Classified {
  for (const node of chain(error)) {
    const classified = classifyOne(node, callbackError ?? undefined);
    if (classified) return classified;
  }
  return { failure: "unexpected" };
}

/** A one-line description for the server log: the names of the errors, never a message, token or response body. */
export function describeForLog(error: unknown): string {
  const names: string[] = [];
  for (const node of chain(error)) {
    if (!(node instanceof Error) && !(node instanceof DOMException)) continue;
    const name = String((node as { type?: unknown }).type ?? node.name);
    if (names.at(-1) !== name) names.push(name);
  }
  return names.join(" <- ") || typeof error;
}
