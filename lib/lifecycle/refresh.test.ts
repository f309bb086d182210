import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describeConnection } from "@/lib/messages/connections";
import type { ApicbaseClient } from "@/lib/apicbase/client";
import { clientForApplication } from "@/lib/connections/applications";
import type { ConnectionContext } from "@/lib/connections/context";
import { completeAuthorization } from "@/lib/connections/service";
import { openTokens } from "@/lib/connections/tokens";
import { openDatabase, type Database } from "@/lib/db/client";
import { auditEvents, connections } from "@/lib/db/schema";
import { REFRESH_LEASE_MS, refreshConnection } from "./refresh";
import type { RefreshResult, RefreshTrigger } from "./types";
import { Refresher } from "./refresher";
import {
  createPostgresDatabase,
  findPostgres,
  lifecycleFixture,
  type LifecycleFixture,
} from "@/testing/lifecycle-fixtures";
import { useLifecycleFixture } from "@/testing/lifecycle-suite";

const DAY = 86_400_000;
const postgresAdminUrl = await findPostgres();
if (!postgresAdminUrl) console.warn("PostgreSQL not reachable: the cross-process refresh tests ran on PGlite only");

/** A client whose refresh waits at `gate` before (or after) the real call, as a process stopped by the OS would. */
function pausedClient(fixture: LifecycleFixture, where: "before_call" | "after_response") {
  let reached!: () => void;
  let resume!: () => void;
  const atGate = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (resume = resolve));
  const clientFor = async (id: string) => {
    const real = await clientForApplication(fixture.db, fixture.keyring, fixture.settings, id, fixture.clock.now);
    return Object.assign(Object.create(real), {
      refresh: async (args: Parameters<ApicbaseClient["refresh"]>[0]) => {
        if (where === "before_call") {
          reached();
          await released;
          return real.refresh(args);
        }
        const tokens = await real.refresh(args);
        reached();
        await released;
        return tokens;
      },
    }) as ApicbaseClient;
  };
  return { clientFor, atGate, resume };
}

/** 50 triggers of every kind, split over two processes: clicks, token API calls and background ticks. */
async function fiftyTriggers(
  fixture: LifecycleFixture,
  processes: [ConnectionContext, ConnectionContext],
  connectionId: string,
) {
  const organizationId = fixture.organizationId;
  const triggers: Promise<RefreshResult | unknown>[] = [];
  const forceRefresh: RefreshTrigger = { kind: "api", minValidMs: 8 * DAY };
  for (const ctx of processes) {
    const refresher = new Refresher({
      ctx: { ...ctx, leaseOwner: `${ctx.leaseOwner}:refresher` },
      budget: { perMinute: 90, burst: 20 },
      concurrency: 4,
    });
    for (let i = 0; i < 10; i++)
      triggers.push(refreshConnection(ctx, { organizationId, connectionId }, { kind: "manual" }));
    for (let i = 0; i < 10; i++) triggers.push(refreshConnection(ctx, { organizationId, connectionId }, forceRefresh));
    for (let i = 0; i < 5; i++) triggers.push(refresher.tick());
  }
  const results = await Promise.all(triggers);
  return results.filter((r): r is RefreshResult => typeof r === "object" && r !== null && "ok" in r);
}

describe("refresh", () => {
  let fixture: LifecycleFixture;

  /** A worker that took a connection's lease and stopped (before or after Apicbase's answer) until its lease ran out. */
  async function stalledPastLease(where: "before_call" | "after_response") {
    const connectionId = await fixture.connection();
    const organizationId = fixture.organizationId;
    const stalled = pausedClient(fixture, where);
    const worker = refreshConnection(fixture.context({ leaseOwner: "stalled-worker", clientFor: stalled.clientFor }), {
      organizationId,
      connectionId,
    });
    await stalled.atGate;
    await fixture.clock.advance(REFRESH_LEASE_MS + 1000);
    return { connectionId, organizationId, stalled, worker };
  }

  /** The connection's refresh lease, held by a process that died (its lease runs out as usual). */
  async function leaseToDeadProcess(connectionId: string) {
    await fixture.db
      .update(connections)
      .set({
        leaseOwner: "web:dead-host:4242:abcdef",
        leaseExpiresAt: new Date(fixture.clock.now().getTime() + REFRESH_LEASE_MS),
      })
      .where(eq(connections.id, connectionId));
  }

  useLifecycleFixture((created) => (fixture = created));
  beforeEach(async () => {
    fixture.settings.timeoutMs = 2000;
  });

  it("50 concurrent triggers from two processes give exactly one refresh grant and no invalid_grant", async () => {
    const connectionId = await fixture.connection();
    await fixture.makeDue([connectionId]);
    const before = await fixture.row(connectionId);
    await fixture.control.resetStats();
    const results = await fiftyTriggers(
      fixture,
      [fixture.context({ leaseOwner: "process-a" }), fixture.context({ leaseOwner: "process-b" })],
      connectionId,
    );

    expect(results).toHaveLength(40);
    expect(results.every((r) => r.ok)).toBe(true);
    const stats = await fixture.control.stats();
    expect(stats.token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
    const after = await fixture.row(connectionId);
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(await fixture.client().introspect(openTokens(fixture.keyring, after)!.accessToken)).toMatchObject({
      active: true,
    });
  });

  it("skips the call when another process refreshed moments ago", async () => {
    const connectionId = await fixture.connection();
    const a = fixture.context({ leaseOwner: "process-a" });
    const b = fixture.context({ leaseOwner: "process-b" });
    expect(await refreshConnection(a, { organizationId: fixture.organizationId, connectionId })).toMatchObject({
      ok: true,
      refreshed: true,
    });
    expect(await refreshConnection(b, { organizationId: fixture.organizationId, connectionId })).toMatchObject({
      ok: true,
      refreshed: false,
    });
    // The token API only refreshes a token that expires within the margin it asks for.
    await fixture.clock.advance(2 * 60_000);
    expect(
      await refreshConnection(
        b,
        { organizationId: fixture.organizationId, connectionId },
        { kind: "api", minValidMs: DAY },
      ),
    ).toMatchObject({ ok: true, refreshed: false });
    expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
  });

  it("a worker stalled past its lease cannot overwrite the newer tokens of the one that took over", async () => {
    const { connectionId, organizationId, stalled, worker } = await stalledPastLease("before_call");
    const takeover = await refreshConnection(fixture.context({ leaseOwner: "other-process" }), {
      organizationId,
      connectionId,
    });
    expect(takeover).toMatchObject({ ok: true, refreshed: true });
    const newer = await fixture.row(connectionId);

    stalled.resume();
    const late = await worker;
    // Its refresh token was rotated away meanwhile: Apicbase refuses it, and the failure changes nothing.
    expect(late).toMatchObject({ ok: false, reason: "busy" });
    const after = await fixture.row(connectionId);
    expect(after).toMatchObject({
      status: "active",
      tokenVersion: newer.tokenVersion,
      accessTokenCiphertext: newer.accessTokenCiphertext,
    });
    expect(await fixture.client().introspect(openTokens(fixture.keyring, after)!.accessToken)).toMatchObject({
      active: true,
    });
  });

  it("a worker stalled between Apicbase's answer and its write loses to a re-authorization, and revokes its orphan pair", async () => {
    const { connectionId, organizationId, stalled, worker } = await stalledPastLease("after_response");
    const tokens = await fixture.mint();
    const library = await fixture.client().getActiveLibrary(tokens.accessToken);
    const reauthorized = await completeAuthorization(fixture.context(), {
      organizationId,
      applicationId: fixture.applicationId,
      tokens,
      library: { ...library, id: (await fixture.row(connectionId)).libraryId },
      reauthorizeConnectionId: connectionId,
    });
    expect(reauthorized).toMatchObject({ ok: true, outcome: "reauthorized" });

    stalled.resume();
    expect(await worker).toMatchObject({ ok: false, reason: "busy" });
    const pair = openTokens(fixture.keyring, await fixture.row(connectionId))!;
    expect(pair.accessToken).toBe(tokens.accessToken);
    expect(await fixture.client().introspect(tokens.accessToken)).toMatchObject({ active: true });
  });

  it("detects a rotation whose answer was lost (drop_after_commit) and says the connection needs re-authorization", async () => {
    const connectionId = await fixture.connection();
    await fixture.control.fault({ endpoint: "token", mode: "drop_after_commit" });
    const result = await refreshConnection(fixture.context(), { organizationId: fixture.organizationId, connectionId });
    expect(result).toMatchObject({
      ok: false,
      apicbaseError: "lost_rotation",
      needsReauthorization: true,
      code: "lost_rotation",
    });
    expect(!result.ok && describeConnection(result)).toMatch(/answer was lost.*re-authorization/);
    expect(await fixture.row(connectionId)).toMatchObject({
      status: "needs_reauthorization",
      lastRefreshError: "lost_rotation",
      nextRefreshAt: null,
    });
  });

  it("retries a plain timeout: the refresh did not happen, and the background retry succeeds", async () => {
    const connectionId = await fixture.connection();
    fixture.settings.timeoutMs = 300;
    await fixture.control.fault({ endpoint: "token", mode: "slow", delay_ms: 800 });
    const failed = await refreshConnection(fixture.context(), { organizationId: fixture.organizationId, connectionId });
    fixture.settings.timeoutMs = 2000;
    expect(failed).toMatchObject({
      ok: false,
      apicbaseError: "timeout",
      code: "apicbase_error",
      refresh: "not_rotated",
    });
    expect(!failed.ok && describeConnection(failed)).toMatch(
      /did not happen at Apicbase; the current tokens still work/,
    );
    const failing = await fixture.row(connectionId);
    expect(failing).toMatchObject({
      status: "refresh_failing",
      refreshFailureCount: 1,
      refreshFailureDays: 1,
      leaseTakenOverFrom: null,
    });
    // Retried after a short backoff, not at once.
    const waitMs = failing.nextRefreshAt!.getTime() - fixture.clock.now().getTime();
    expect(waitMs).toBeGreaterThan(10_000);
    expect(waitMs).toBeLessThanOrEqual(30_000);

    await new Promise((resolve) => setTimeout(resolve, 600));
    await fixture.clock.advance(31_000);
    const refresher = new Refresher({
      ctx: fixture.context({ leaseOwner: "refresher" }),
      budget: { perMinute: 20, burst: 5 },
      concurrency: 2,
    });
    const report = await refresher.tick();
    expect(report).toMatchObject({ claimed: 1, refreshed: 1 });
    expect(await fixture.row(connectionId)).toMatchObject({
      status: "active",
      refreshFailureCount: 0,
      refreshFailureDays: 0,
      lastRefreshError: null,
    });
    expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
  });

  it("explains, on the next run, a refresh whose process died between Apicbase's answer and the database write", async () => {
    const connectionId = await fixture.connection();
    const row = await fixture.row(connectionId);
    // The dying process: takes the lease, gets the rotated pair from Apicbase, never writes it.
    await leaseToDeadProcess(connectionId);
    await fixture.client().refresh({ refreshToken: openTokens(fixture.keyring, row)!.refreshToken });

    await fixture.clock.advance(REFRESH_LEASE_MS + 1000);
    const next = await refreshConnection(fixture.context({ leaseOwner: "next-run" }), {
      organizationId: fixture.organizationId,
      connectionId,
    });
    expect(next).toMatchObject({
      ok: false,
      apicbaseError: "lost_rotation",
      needsReauthorization: true,
      code: "interrupted_lost",
    });
    expect(!next.ok && describeConnection(next)).toMatch(
      /earlier refresh of this connection was interrupted after Apicbase had rotated its tokens/,
    );
    expect(await fixture.row(connectionId)).toMatchObject({
      status: "needs_reauthorization",
      lastRefreshError: "lost_rotation",
      leaseOwner: null,
      leaseTakenOverFrom: null,
    });
    // The dead refresh token was never redeemed a second time.
    expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
    const [audit] = await fixture.db.select().from(auditEvents).where(eq(auditEvents.connectionId, connectionId));
    expect(audit).toMatchObject({
      event: "connection_refresh_failed",
      apicbaseError: "lost_rotation",
      detail: { interruptedRefreshBy: "web:dead-host:4242:abcdef" },
    });
  });

  it("goes ahead after a process that died before reaching Apicbase: its tokens still work", async () => {
    const connectionId = await fixture.connection();
    await leaseToDeadProcess(connectionId);
    await fixture.clock.advance(REFRESH_LEASE_MS + 1000);
    expect(
      await refreshConnection(fixture.context({ leaseOwner: "next-run" }), {
        organizationId: fixture.organizationId,
        connectionId,
      }),
    ).toMatchObject({ ok: true, refreshed: true });
    expect(await fixture.row(connectionId)).toMatchObject({ status: "active", leaseTakenOverFrom: null });
  });

  it("when Apicbase cannot be asked whether an ambiguous refresh happened, checks first on the next attempt", async () => {
    const connectionId = await fixture.connection();
    await fixture.control.fault({ endpoint: "token", mode: "error_500" });
    await fixture.control.fault({ endpoint: "introspect", mode: "error_500" });
    const failed = await refreshConnection(fixture.context({ leaseOwner: "process-a" }), {
      organizationId: fixture.organizationId,
      connectionId,
    });
    expect(failed).toMatchObject({ ok: false, apicbaseError: "server_error", apicbaseDown: true });
    expect(await fixture.row(connectionId)).toMatchObject({
      status: "refresh_failing",
      leaseTakenOverFrom: "process-a",
    });
    const stats = await fixture.control.stats();
    expect(
      await refreshConnection(fixture.context({ leaseOwner: "process-b" }), {
        organizationId: fixture.organizationId,
        connectionId,
      }),
    ).toMatchObject({ ok: true, refreshed: true });
    const after = await fixture.control.stats();
    expect(after.requests.introspect).toBe(stats.requests.introspect + 1);
    expect(after.token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
  });

  it("counts failures at most once a day", async () => {
    const connectionId = await fixture.connection();
    await fixture.control.fault({ endpoint: "token", mode: "error_500", count: 3 });
    const ctx = fixture.context();
    const args = { organizationId: fixture.organizationId, connectionId };
    await refreshConnection(ctx, args);
    await fixture.clock.advance(3600_000);
    await refreshConnection(ctx, args);
    expect(await fixture.row(connectionId)).toMatchObject({ refreshFailureCount: 2, refreshFailureDays: 1 });
    await fixture.clock.advance(DAY);
    await refreshConnection(ctx, args);
    expect(await fixture.row(connectionId)).toMatchObject({
      status: "refresh_failing",
      refreshFailureCount: 3,
      refreshFailureDays: 2,
    });
  });

  it("does not mark connections broken when Apicbase refuses the application's credentials", async () => {
    const connectionId = await fixture.connection();
    fixture.settings.clientSecret = "wrong";
    try {
      const result = await refreshConnection(fixture.context(), {
        organizationId: fixture.organizationId,
        connectionId,
      });
      expect(result).toMatchObject({ ok: false, apicbaseError: "invalid_client" });
    } finally {
      fixture.settings.clientSecret = "sandbox-partner-secret";
    }
    expect(await fixture.row(connectionId)).toMatchObject({ status: "active", refreshFailureCount: 0 });
  });

  it("never writes a token into the audit log", async () => {
    const connectionId = await fixture.connection();
    const before = openTokens(fixture.keyring, await fixture.row(connectionId))!;
    await refreshConnection(fixture.context(), { organizationId: fixture.organizationId, connectionId });
    const after = openTokens(fixture.keyring, await fixture.row(connectionId))!;
    const log = JSON.stringify(
      await fixture.db.select().from(auditEvents).where(eq(auditEvents.connectionId, connectionId)),
    );
    for (const token of [before.accessToken, before.refreshToken, after.accessToken, after.refreshToken])
      expect(log).not.toContain(token);
  });
});

describe.runIf(postgresAdminUrl)("refresh across two processes on PostgreSQL", () => {
  let fixture: LifecycleFixture;
  let second: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await createPostgresDatabase(postgresAdminUrl!);
    drop = created.drop;
    fixture = await lifecycleFixture({ databaseUrl: created.url });
    second = await openDatabase({ url: created.url, migrate: false });
  }, 60_000);
  afterAll(async () => {
    await second?.close();
    await fixture?.close();
    await drop?.();
  });
  beforeEach(() => fixture.reset());

  it("50 concurrent triggers over two connection pools give exactly one refresh grant, every time", async () => {
    for (let round = 0; round < 5; round++) {
      const connectionId = await fixture.connection();
      await fixture.makeDue([connectionId]);
      await fixture.control.resetStats();
      const otherProcess: ConnectionContext = {
        ...fixture.context({ leaseOwner: "process-b" }),
        db: second.db,
        clientFor: (id) => clientForApplication(second.db, fixture.keyring, fixture.settings, id, fixture.clock.now),
      };
      const results = await fiftyTriggers(
        fixture,
        [fixture.context({ leaseOwner: "process-a" }), otherProcess],
        connectionId,
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 1, error: 0 });
    }
  });
});
