import { describe, expect, it } from "vitest";
import {
  DAY_MS,
  isNewFailureDay,
  MAX_REFRESH_LEAD_MS,
  planNextRefresh,
  RETRY_BASE_MS,
  RETRY_CAP_MS,
  retryDelayMs,
} from "./schedule";

const now = new Date("2026-11-27T12:00:00Z");
const at = (ms: number) => new Date(now.getTime() + ms);

describe("planning refreshes", () => {
  it("refreshes a 7-day token with 2 days left, give or take 12 hours", () => {
    const expiresAt = at(7 * DAY_MS);
    expect(planNextRefresh(expiresAt, now, () => 0.5)).toEqual(at(5 * DAY_MS));
    expect(planNextRefresh(expiresAt, now, () => 0)).toEqual(at(4.5 * DAY_MS));
    expect(planNextRefresh(expiresAt, now, () => 1)).toEqual(at(5.5 * DAY_MS));
  });

  it("spreads tokens issued together over a day", () => {
    const planned = Array.from({ length: 1000 }, () => planNextRefresh(at(7 * DAY_MS), now).getTime());
    const spread = Math.max(...planned) - Math.min(...planned);
    expect(spread).toBeGreaterThan(0.9 * DAY_MS);
    expect(spread).toBeLessThanOrEqual(DAY_MS);
  });

  it("refreshes short-lived tokens with 30 % of their life left, and an expired token now", () => {
    expect(planNextRefresh(at(3600_000), now, () => 0.5)).toEqual(at(0.7 * 3600_000));
    expect(planNextRefresh(at(-1000), now)).toEqual(now);
    expect(MAX_REFRESH_LEAD_MS).toBe(2 * DAY_MS);
  });
});

describe("backoff", () => {
  it("doubles from 30 s up to 30 minutes, never less than half a step", () => {
    const far = at(7 * DAY_MS);
    expect(retryDelayMs(1, far, now, () => 0)).toBe(RETRY_BASE_MS / 2);
    expect(retryDelayMs(1, far, now, () => 1)).toBe(RETRY_BASE_MS);
    expect(retryDelayMs(3, far, now, () => 1)).toBe(4 * RETRY_BASE_MS);
    expect(retryDelayMs(30, far, now, () => 1)).toBe(RETRY_CAP_MS);
    expect(retryDelayMs(30, far, now, () => 0)).toBe(RETRY_CAP_MS / 2);
  });

  it("retries sooner than the backoff when the token would expire first", () => {
    expect(retryDelayMs(30, at(10 * 60_000), now, () => 1)).toBe(5 * 60_000);
    expect(retryDelayMs(30, at(1000), now, () => 1)).toBe(RETRY_BASE_MS / 2);
  });

  it("counts a failure day at most once in 24 hours", () => {
    expect(isNewFailureDay(null, now)).toBe(true);
    expect(isNewFailureDay(at(-23 * 3600_000), now)).toBe(false);
    expect(isNewFailureDay(at(-DAY_MS), now)).toBe(true);
  });
});
