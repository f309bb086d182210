/** What a refresh is asked for with and answers: shared by the refresh, its failure handling and its callers. */
import type { Failure } from "@/lib/connections/context";

/** Why a refresh is asked for, which decides when the stored token is already good enough. */
export type RefreshTrigger =
  /** "Refresh" on the dashboard: refresh now, unless another refresh just did. */
  | { kind: "manual" }
  /** The token API: only when the token expires within `minValidMs`. */
  | { kind: "api"; minValidMs: number }
  /** The background refresher, for a connection it claimed as due. */
  | { kind: "background" }
  /** A bulk refresh job: like "manual", but its share of the refresh budget was taken before (lib/bulk-jobs). */
  | { kind: "bulk" }
  /**
   * Apicbase refused the access token of this token version (the API proxy got a 401): refresh unless the stored
   * pair already moved on, whatever its expiry.
   */
  | { kind: "rejected"; tokenVersion: number };

export type RefreshFailure = Failure & {
  /** Apicbase asked to wait this long (429 or 503 with Retry-After). */
  retryAfterSeconds?: number;
  /** Apicbase looked down (5xx, timeout, broken connection): feeds the circuit breaker. */
  apicbaseDown?: boolean;
  needsReauthorization?: boolean;
  /** This process is shutting down and started nothing: another process (or this one, restarted) serves it. */
  shuttingDown?: boolean;
};
export type RefreshResult = { ok: true; expiresAt: Date; scopes: string[]; refreshed: boolean } | RefreshFailure;
