/** When refreshes happen: well before expiry with jitter, and after a failure with capped exponential backoff. */

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/** Refresh at most this long before expiry: Apicbase's 7-day tokens are refreshed with about two days left. */
export const MAX_REFRESH_LEAD_MS = 2 * DAY_MS;
/** Shorter-lived tokens (tests, other emulator settings) are refreshed with this share of their life left. */
const LEAD_SHARE = 0.3;

/** First and longest wait before retrying a failed background refresh. */
export const RETRY_BASE_MS = 30_000;
export const RETRY_CAP_MS = 30 * MINUTE_MS;

export type Random = () => number;

/**
 * The moment to refresh a token expiring at `expiresAt`: `lead` before expiry, give or take a quarter of it, so
 * tokens issued together (an import, a burst of connects) do not all come due in the same minute. A 7-day token
 * comes due between 4.5 and 5.5 days after it was issued.
 */
export function planNextRefresh(expiresAt: Date, now: Date, random: Random = Math.random): Date {
  const lifetime = Math.max(0, expiresAt.getTime() - now.getTime());
  const lead = Math.min(MAX_REFRESH_LEAD_MS, lifetime * LEAD_SHARE);
  const jitter = (random() * 2 - 1) * (lead / 4);
  return new Date(Math.max(now.getTime(), expiresAt.getTime() - lead + jitter));
}

/**
 * The wait before retrying after `failuresInARow` failures: doubling from 30 s up to 30 min, with jitter so
 * connections that failed together retry apart, but never less than half the step (no hot loop). A token that
 * expires sooner is retried sooner, at half its remaining life.
 */
export function retryDelayMs(
  failuresInARow: number,
  expiresAt: Date | null,
  now: Date,
  random: Random = Math.random,
): number {
  const step = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, failuresInARow - 1));
  const delay = step / 2 + (random() * step) / 2;
  if (!expiresAt) return delay;
  const remaining = expiresAt.getTime() - now.getTime();
  return remaining > 0 ? Math.max(RETRY_BASE_MS / 2, Math.min(delay, remaining / 2)) : delay;
}

/** Failures count at most once a day, so that an Apicbase-wide outage does not condemn every connection at once. */
export function isNewFailureDay(lastCountedAt: Date | null, now: Date): boolean {
  return !lastCountedAt || now.getTime() - lastCountedAt.getTime() >= DAY_MS;
}

/** A connection's record of failed refreshes, wiped: what a new token pair (refreshed or approved again) writes. */
export const NO_REFRESH_FAILURES = {
  lastRefreshError: null,
  refreshFailureCount: 0,
  refreshFailureDays: 0,
  refreshFailureCountedAt: null,
  lastRefreshFailedAt: null,
  backgroundRefreshFailures: 0,
} as const;
