import { describe, expect, it } from "vitest";
import { deriveConnectionState, type ConnectionFacts, type ConnectionState } from "./status";

const now = new Date("2026-12-01T12:00:00Z");
const at = (hours: number) => new Date(now.getTime() + hours * 3600_000);
const library = { id: 101, name: "Bistro Nord" };
const other = { id: 102, name: "Café Zuid" };

/** A healthy connection verified on its current tokens; each case changes what it is about. */
const base: ConnectionFacts = {
  status: "active",
  libraryId: 101,
  accessTokenExpiresAt: at(6 * 24),
  lastRefreshedAt: at(-24),
  lastRefreshError: null,
  lastRefreshFailedAt: null,
  refreshFailureCount: 0,
  backgroundRefreshFailures: 0,
  nextRefreshAt: at(4 * 24),
  lastVerifiedAt: at(-1),
  lastVerification: { active: true, library },
  verificationCurrent: true,
  observedLibrary: null,
};

type Expected = {
  status: ConnectionState["status"];
  token: ConnectionState["token"]["kind"];
  refresh?: ConnectionState["refresh"]["kind"];
  verification?: { outcome: string; stale: string | null } | null;
  drift?: { libraryId: number; stale: string | null } | null;
  can?: Partial<ConnectionState["can"]>;
};

const cases: [string, Partial<ConnectionFacts>, Expected][] = [
  [
    "connected and verified: active with a countdown",
    {},
    { status: "active", token: "usable", refresh: "ok", verification: { outcome: "active", stale: null }, drift: null },
  ],
  [
    "never verified",
    { lastVerifiedAt: null, lastVerification: null, verificationCurrent: false },
    { status: "active", token: "usable", verification: null },
  ],
  ["within a day of expiry", { accessTokenExpiresAt: at(5) }, { status: "expiring_soon", token: "usable" }],
  [
    "expired, refresh token believed good: no countdown",
    { accessTokenExpiresAt: at(-1) },
    { status: "expired_refreshable", token: "expired" },
  ],
  ["no expiry known", { accessTokenExpiresAt: null }, { status: "expired_refreshable", token: "expired" }],
  [
    "refreshed after the verification: the verification is history",
    { lastRefreshedAt: at(-0.5), verificationCurrent: false },
    { status: "active", token: "usable", verification: { outcome: "active", stale: "refresh" } },
  ],
  [
    "re-authorized or imported after the verification (never refreshed since)",
    { lastRefreshedAt: null, verificationCurrent: false },
    { status: "active", token: "usable", verification: { outcome: "active", stale: "new_tokens" } },
  ],
  [
    "verification found another library: drift",
    { lastVerification: { active: true, library: other }, observedLibrary: { id: 102, name: "Café Zuid" } },
    {
      status: "active",
      token: "usable",
      verification: { outcome: "other_library", stale: null },
      drift: { libraryId: 102, stale: null },
    },
  ],
  [
    "drift seen before the last refresh",
    {
      lastVerification: { active: true, library: other },
      observedLibrary: { id: 102, name: "Café Zuid" },
      lastRefreshedAt: at(-0.2),
      verificationCurrent: false,
    },
    {
      status: "active",
      token: "usable",
      verification: { outcome: "other_library", stale: "refresh" },
      drift: { libraryId: 102, stale: "refresh" },
    },
  ],
  [
    "a later verification reached the connected library again: drift over",
    { lastVerification: { active: true, library }, observedLibrary: null },
    { status: "active", token: "usable", verification: { outcome: "active", stale: null }, drift: null },
  ],
  [
    "an observed library equal to the connected one is no drift",
    { observedLibrary: { id: 101, name: "Bistro Nord" } },
    { status: "active", token: "usable", drift: null },
  ],
  [
    "one failed manual refresh: still shown by its token, with the failure noted",
    {
      status: "refresh_failing",
      lastRefreshError: "server_error",
      lastRefreshFailedAt: at(-0.1),
      refreshFailureCount: 1,
      backgroundRefreshFailures: 0,
      nextRefreshAt: at(0.01),
    },
    { status: "active", token: "usable", refresh: "last_failed", can: { refresh: true, verify: true } },
  ],
  [
    "a failed manual refresh of an expired token",
    {
      status: "refresh_failing",
      accessTokenExpiresAt: at(-2),
      lastRefreshError: "timeout",
      backgroundRefreshFailures: 0,
    },
    { status: "expired_refreshable", token: "expired", refresh: "last_failed" },
  ],
  [
    "the background engine's retries fail: Refresh failing, the token still counts down",
    {
      status: "refresh_failing",
      lastRefreshError: "server_error",
      refreshFailureCount: 3,
      backgroundRefreshFailures: 2,
    },
    { status: "refresh_failing", token: "usable", refresh: "failing" },
  ],
  [
    "failing with an unknown engine count (an old caller): failing, never hidden",
    { status: "refresh_failing", backgroundRefreshFailures: undefined },
    { status: "refresh_failing", token: "usable", refresh: "failing" },
  ],
  [
    "needs re-authorization: no countdown, an earlier 'active' verification is not current",
    { status: "needs_reauthorization", lastRefreshError: "invalid_grant" },
    {
      status: "needs_reauthorization",
      token: "rejected",
      verification: { outcome: "active", stale: "rejected" },
      can: { refresh: true, verify: true, reauthorize: true, revoke: true },
    },
  ],
  [
    "needs re-authorization found by Verify: its 'not active' is current",
    { status: "needs_reauthorization", lastVerification: { active: false, library: null } },
    { status: "needs_reauthorization", token: "rejected", verification: { outcome: "not_active", stale: null } },
  ],
  [
    "needs re-authorization of a still unexpired token keeps no countdown",
    { status: "needs_reauthorization", accessTokenExpiresAt: at(100) },
    { status: "needs_reauthorization", token: "rejected" },
  ],
  [
    "revoking: nothing shown of the old verification or drift",
    { status: "revoking", verificationCurrent: false, observedLibrary: { id: 102, name: "Café Zuid" } },
    {
      status: "revoking",
      token: "not_used",
      verification: null,
      drift: null,
      can: { refresh: false, verify: false, revoke: true },
    },
  ],
  [
    "revoked: no stale 'active', no countdown, nothing left to revoke",
    { status: "revoked", verificationCurrent: false, observedLibrary: { id: 102, name: "Café Zuid" } },
    {
      status: "revoked",
      token: "deleted",
      verification: null,
      drift: null,
      can: { refresh: false, verify: false, reauthorize: true, revoke: false },
    },
  ],
  [
    "revoked while its verification still matched (no version bump): still nothing shown",
    { status: "revoked", verificationCurrent: true },
    { status: "revoked", token: "deleted", verification: null },
  ],
  [
    "re-authorized after a revoke: active again, the old verification is history",
    {
      status: "active",
      lastRefreshedAt: null,
      verificationCurrent: false,
      lastVerification: { active: true, library },
    },
    { status: "active", token: "usable", verification: { outcome: "active", stale: "new_tokens" } },
  ],
  [
    "a verification that found the token inactive after it expired",
    { accessTokenExpiresAt: at(-3), lastVerification: { active: false, library: null } },
    { status: "expired_refreshable", token: "expired", verification: { outcome: "not_active", stale: null } },
  ],
];

describe("deriveConnectionState", () => {
  it.each(cases)("%s", (_name, changes, expected) => {
    const state = deriveConnectionState({ ...base, ...changes }, now);
    expect(state.status).toBe(expected.status);
    expect(state.token.kind).toBe(expected.token);
    if (expected.refresh) expect(state.refresh.kind).toBe(expected.refresh);
    if (expected.verification !== undefined) {
      expect(state.verification && { outcome: state.verification.outcome, stale: state.verification.stale }).toEqual(
        expected.verification,
      );
    }
    if (expected.drift !== undefined) {
      expect(state.drift && { libraryId: state.drift.libraryId, stale: state.drift.stale }).toEqual(expected.drift);
    }
    if (expected.can) expect(state.can).toMatchObject(expected.can);
  });

  it("counts down only a token it believes usable", () => {
    for (const [, changes] of cases) {
      const state = deriveConnectionState({ ...base, ...changes }, now);
      const facts = { ...base, ...changes };
      const usable =
        ["active", "refresh_failing"].includes(facts.status) &&
        facts.accessTokenExpiresAt !== null &&
        facts.accessTokenExpiresAt > now;
      expect(state.token.kind === "usable").toBe(usable);
    }
  });

  it("carries the failure's time, code and the engine's next try", () => {
    const state = deriveConnectionState(
      {
        ...base,
        status: "refresh_failing",
        lastRefreshError: "server_error",
        lastRefreshFailedAt: at(-0.1),
        backgroundRefreshFailures: 0,
        nextRefreshAt: at(0.5),
      },
      now,
    );
    expect(state.refresh).toEqual({ kind: "last_failed", failedAt: at(-0.1), retryAt: at(0.5), code: "server_error" });
  });

  it("moves from active to expiring soon to expired as time passes, with no other change", () => {
    const facts = { ...base, accessTokenExpiresAt: at(30) };
    expect(deriveConnectionState(facts, now).status).toBe("active");
    expect(deriveConnectionState(facts, at(7)).status).toBe("expiring_soon");
    expect(deriveConnectionState(facts, at(30)).status).toBe("expired_refreshable");
  });
});
