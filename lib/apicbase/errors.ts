/**
 * Everything that can go wrong talking to Apicbase, as one typed error. Messages never contain a token, a code
 * or a secret: they name the endpoint and what happened.
 */
export type ApicbaseErrorCode =
  /** Apicbase answered with an OAuth error body (`invalid_grant`, `invalid_client`, ...); see `oauthError`. */
  | "oauth_error"
  /** The authorization redirect carried `error=...` (e.g. `access_denied` when the user pressed Cancel). */
  | "authorization_error"
  /** The `state` coming back is not the one we sent. */
  | "state_mismatch"
  /** 429: wait `retryAfterSeconds`. */
  | "rate_limited"
  /** 5xx from Apicbase. */
  | "server_error"
  /** No answer within the timeout. */
  | "timeout"
  /** Could not connect, or the connection broke. */
  | "network"
  /** An answer that is not what the spec promises: malformed, oversized, a redirect, an unexpected status. */
  | "invalid_response"
  /** API or introspection refused the caller's credentials (401). */
  | "unauthorized"
  /** API refused for lack of scope or permission, or introspection refused the client (403). */
  | "forbidden"
  /** The endpoint does not exist here (e.g. no revocation endpoint). */
  | "not_found";

export type ApicbaseEndpointName = "token" | "introspect" | "revoke" | "api" | "authorize";

export class ApicbaseError extends Error {
  readonly code: ApicbaseErrorCode;
  readonly endpoint: ApicbaseEndpointName;
  readonly status: number | undefined;
  /** Apicbase's own `error` value, e.g. `invalid_grant`, when it sent one. */
  readonly oauthError: string | undefined;
  readonly description: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  /**
   * True when the request may have been processed although we got no usable answer (timeout after sending,
   * connection reset, 5xx, malformed 200). For a refresh this means the rotation may have happened.
   */
  readonly ambiguous: boolean;

  constructor(args: {
    code: ApicbaseErrorCode;
    endpoint: ApicbaseEndpointName;
    message: string;
    status?: number;
    oauthError?: string;
    description?: string;
    retryAfterSeconds?: number;
    ambiguous?: boolean;
  }) {
    super(args.message);
    this.name = "ApicbaseError";
    this.code = args.code;
    this.endpoint = args.endpoint;
    this.status = args.status;
    this.oauthError = args.oauthError;
    this.description = args.description;
    this.retryAfterSeconds = args.retryAfterSeconds;
    this.ambiguous = args.ambiguous ?? false;
  }

  /** Apicbase no longer accepts this grant: only a new authorization helps. */
  get needsReauthorization(): boolean {
    return this.code === "oauth_error" && this.oauthError === "invalid_grant";
  }

  /** The application's credentials are wrong; no connection is at fault. */
  get isClientCredentialsError(): boolean {
    return (
      (this.code === "oauth_error" && this.oauthError === "invalid_client") ||
      (this.endpoint === "introspect" && this.code === "forbidden")
    );
  }

  /** Worth trying again later, possibly after `retryAfterSeconds`. */
  get retryable(): boolean {
    return ["rate_limited", "server_error", "timeout", "network"].includes(this.code);
  }
}

export function isApicbaseError(value: unknown): value is ApicbaseError {
  return value instanceof ApicbaseError;
}

/**
 * A failed call as plain data, for results that say why without carrying the error object: the ApicbaseError's
 * facts, or `portal_error` for anything else (a bug, the database). Never a token or a raw body.
 */
export type ApicbaseProblem =
  | { code: "portal_error" }
  | {
      code: ApicbaseErrorCode;
      endpoint: ApicbaseEndpointName;
      status?: number;
      oauthError?: string;
      retryAfterSeconds?: number;
      ambiguous: boolean;
      clientCredentials: boolean;
    };

export function apicbaseProblem(error: unknown): ApicbaseProblem {
  if (!(error instanceof ApicbaseError)) return { code: "portal_error" };
  return {
    code: error.code,
    endpoint: error.endpoint,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.oauthError === undefined ? {} : { oauthError: error.oauthError }),
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    ambiguous: error.ambiguous,
    clientCredentials: error.isClientCredentialsError,
  };
}
