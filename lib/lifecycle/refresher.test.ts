import { and, eq, inArray, min, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SANDBOX_PARTNER_APP } from "@/lib/sandbox";
import { applications, auditEvents, connections } from "@/lib/db/schema";
import {
  BREAKER_THRESHOLD,
  backgroundGate,
  readRefreshControl,
  recordApicbaseHealth,
  returnRefreshBudget,
  takeRefreshBudget,
  type RefreshBudget,
} from "./control";
import { refreshConnection } from "./refresh";
import { Refresher, type TickReport } from "./refresher";
import { cachedClients } from "./runtime";
import { DAY_MS } from "./schedule";
import {
  createPostgresDatabase,
  findPostgres,
  lifecycleFixture,
  type LifecycleFixture,
} from "@/testing/lifecycle-fixtures";
import { useLifecycleFixture } from "@/testing/lifecycle-suite";

const MINUTE = 60_000;
const BUDGET: RefreshBudget = { perMinute: 20, burst: 5 };

/** The most refreshes in any 60 s of simulated time. */
function peakPerMinute(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= MINUTE) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

describe("background refresher", () => {
  let fixture: LifecycleFixture;
  useLifecycleFixture((created) => (fixture = created));
  beforeEach(async () => {
    fixture.settings.clientSecret = SANDBOX_PARTNER_APP.clientSecret;
  });

  const refresher = (options: { concurrency?: number; pollMs?: number; budget?: RefreshBudget } = {}) =>
    new Refresher({
      ctx: fixture.context({ leaseOwner: "refresher:test", actor: { system: "refresher" } }),
      budget: options.budget ?? BUDGET,
      concurrency: options.concurrency ?? 4,
      pollMs: options.pollMs,
    });

  /** Ticks until nothing more is claimed; the number refreshed. */
  const drain = async (worker: Refresher) => {
    let refreshed = 0;
    for (let report = await worker.tick(); report.claimed > 0; report = await worker.tick())
      refreshed += report.refreshed;
    return refreshed;
  };

  const statuses = async (ids: string[]) =>
    await fixture.db
      .select({ status: connections.status, version: connections.tokenVersion })
      .from(connections)
      .where(inArray(connections.id, ids));

  it("plans a refresh for connections that have none, then refreshes what comes due", async () => {
    const ids = await fixture.insertConnections(3, { nextRefreshAt: null });
    const worker = refresher();
    expect(await worker.tick()).toMatchObject({ scheduled: 3, claimed: 0 });
    const planned = await fixture.row(ids[0]!);
    const inDays = (planned.nextRefreshAt!.getTime() - fixture.clock.now().getTime()) / DAY_MS;
    expect(inDays).toBeGreaterThanOrEqual(4.49);
    expect(inDays).toBeLessThanOrEqual(5.51);
    await fixture.clock.advance(5.6 * DAY_MS);
    expect(await worker.tick()).toMatchObject({ claimed: 3, refreshed: 3, failed: 0 });
  });

  it("finds a grant revoked at Apicbase days before anyone needs the idle connection", async () => {
    const [id] = await fixture.insertConnections(1);
    await fixture.control.revokeGrant({ email: "nora@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
    await fixture.clock.advance(5.6 * DAY_MS);
    expect(await refresher().tick()).toMatchObject({ claimed: 1, failed: 1 });
    expect(await fixture.row(id!)).toMatchObject({
      status: "needs_reauthorization",
      lastRefreshError: "invalid_grant",
      nextRefreshAt: null,
    });
    // Not retried: invalid_grant is final until someone re-authorizes.
    await fixture.clock.advance(DAY_MS);
    expect(await refresher().tick()).toMatchObject({ claimed: 0 });
    expect((await fixture.control.stats()).token_grants.refresh_token).toEqual({ ok: 0, error: 1 });
  });

  it("honours 429 Retry-After: nobody calls Apicbase before it ends, clicks included", async () => {
    const ids = await fixture.insertConnections(3);
    await fixture.makeDue(ids);
    await fixture.control.fault({ endpoint: "token", mode: "rate_limit", retry_after: 30 });
    const worker = refresher({ concurrency: 1 });
    // One at a time: the first answer stops the batch.
    expect(await worker.tick()).toMatchObject({ claimed: 3, failed: 1, released: 2 });
    expect((await fixture.control.stats()).requests.token).toBe(1);

    await fixture.clock.advance(10_000);
    expect(await worker.tick()).toMatchObject({ claimed: 0, waiting: "retry_after" });
    const click = await refreshConnection(fixture.context(), {
      organizationId: fixture.organizationId,
      connectionId: ids[1]!,
    });
    expect(click).toMatchObject({ ok: false, apicbaseError: "rate_limited" });
    expect(!click.ok && click.retryAfterSeconds).toBeGreaterThanOrEqual(19);
    expect((await fixture.control.stats()).requests.token).toBe(1);
    // The connections stay as they were: being told to wait is nobody's failure.
    expect((await statuses(ids)).map((s) => s.status)).toEqual(["active", "active", "active"]);

    await fixture.clock.advance(36_000);
    expect(await drain(worker)).toBe(3);
  });

  it("pauses an application whose credentials Apicbase refuses, without blaming its connections", async () => {
    const ids = await fixture.insertConnections(3);
    await fixture.makeDue(ids);
    fixture.settings.clientSecret = "wrong";
    const worker = refresher({ concurrency: 1 });
    // One at a time: the first answer stops the batch.
    expect(await worker.tick()).toMatchObject({ claimed: 3, failed: 1, released: 2 });
    expect((await statuses(ids)).map((s) => s.status)).toEqual(["active", "active", "active"]);
    const [app] = await fixture.db.select().from(applications).where(eq(applications.id, fixture.applicationId));
    expect(app).toMatchObject({ refreshPausedReason: "invalid_client" });
    expect(await worker.tick()).toMatchObject({ claimed: 0 });
    expect((await fixture.control.stats()).requests.token).toBe(1);
    const paused = await fixture.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.event, "application_refresh_paused"));
    expect(paused).toHaveLength(1);

    fixture.settings.clientSecret = SANDBOX_PARTNER_APP.clientSecret;
    await fixture.clock.advance(61 * MINUTE);
    expect(await drain(worker)).toBe(3);
  });

  it("loses no connection to a 10-minute Apicbase outage: the breaker stops calls, the backlog drains at the budget's pace", async () => {
    const ids = await fixture.insertConnections(30);
    await fixture.makeDue(ids);
    await fixture.control.fault({ endpoint: "token", mode: "error_500", count: 100_000 });
    await fixture.control.fault({ endpoint: "introspect", mode: "error_500", count: 100_000 });
    const worker = refresher({ pollMs: 10_000 });
    const refreshedAt: number[] = [];
    const step = async () => {
      await fixture.clock.sync();
      const report: TickReport = await worker.tick();
      for (let i = 0; i < report.refreshed; i++) refreshedAt.push(fixture.clock.now().getTime());
      fixture.clock.advanceLocal(Math.max(1000, Math.min(10_000, report.waitMs)));
      return report;
    };

    const outageEnds = fixture.clock.now().getTime() + 10 * MINUTE;
    let opened = false;
    while (fixture.clock.now().getTime() < outageEnds) opened = (await step()).breaker !== "closed" || opened;
    const during = await fixture.control.stats();
    expect(opened).toBe(true);
    // The first failures open the breaker; after that only one trial refresh per cooldown (1, 2, 4 minutes).
    expect(during.requests.token).toBeLessThanOrEqual(BREAKER_THRESHOLD + 4);
    expect(during.token_grants.refresh_token.ok).toBe(0);
    expect((await statuses(ids)).every((s) => s.status === "active" || s.status === "refresh_failing")).toBe(true);

    await fixture.control.clearFaults();
    const recoveredAt = fixture.clock.now().getTime();
    while (fixture.clock.now().getTime() < recoveredAt + 15 * MINUTE && refreshedAt.length < ids.length) await step();
    const after = await statuses(ids);
    expect(after.every((s) => s.status === "active" && s.version === 2)).toBe(true);
    const stats = await fixture.control.stats();
    expect(stats.token_grants.refresh_token).toEqual({ ok: 30, error: 0 });
    expect(peakPerMinute(refreshedAt)).toBeLessThanOrEqual(BUDGET.perMinute + BUDGET.burst);
    console.log(
      `outage: ${during.requests.token} token calls in 10 minutes; backlog of ${ids.length} drained ` +
        `${Math.round((Math.max(...refreshedAt) - recoveredAt) / 1000)} s after recovery, peak ${peakPerMinute(refreshedAt)}/min`,
    );
  }, 60_000);
});

describe("shared refresh control", () => {
  let fixture: LifecycleFixture;
  useLifecycleFixture((created) => (fixture = created));

  it("is a token bucket: a full burst, then one refresh per 60/rate seconds, unused budget handed back", async () => {
    const budget = { perMinute: 60, burst: 3 };
    const t0 = fixture.clock.now();
    const at = (ms: number) => new Date(t0.getTime() + ms);
    expect(await takeRefreshBudget(fixture.db, at(0), 10, budget)).toEqual({ granted: 3, waitMs: 0 });
    expect(await takeRefreshBudget(fixture.db, at(0), 10, budget)).toEqual({ granted: 0, waitMs: 1000 });
    expect(await takeRefreshBudget(fixture.db, at(2500), 10, budget)).toMatchObject({ granted: 2 });
    await returnRefreshBudget(fixture.db, 1, budget);
    expect(await takeRefreshBudget(fixture.db, at(2500), 10, budget)).toMatchObject({ granted: 1 });
    expect(await takeRefreshBudget(fixture.db, at(600_000), 10, budget)).toMatchObject({ granted: 3 });
  });

  it("opens the breaker after repeated outage failures, lets one trial through per cooldown, and closes with an empty budget", async () => {
    const t0 = fixture.clock.now().getTime();
    const at = (ms: number) => new Date(t0 + ms);
    for (let i = 1; i < BREAKER_THRESHOLD; i++)
      expect(await recordApicbaseHealth(fixture.db, at(0), "down")).toMatchObject({ state: "closed", failures: i });
    expect(await recordApicbaseHealth(fixture.db, at(0), "down")).toMatchObject({ state: "open" });
    expect(await backgroundGate(fixture.db, at(30_000))).toMatchObject({ kind: "wait", reason: "breaker_open" });
    expect(await backgroundGate(fixture.db, at(61_000))).toMatchObject({ kind: "trial" });
    expect(await backgroundGate(fixture.db, at(62_000))).toMatchObject({ kind: "wait", reason: "trial_running" });
    expect(await recordApicbaseHealth(fixture.db, at(63_000), "down")).toMatchObject({ state: "open" });
    // A failed trial doubles the pause.
    expect(await backgroundGate(fixture.db, at(63_000 + 119_000))).toMatchObject({
      kind: "wait",
      reason: "breaker_open",
    });
    expect(await backgroundGate(fixture.db, at(63_000 + 121_000))).toMatchObject({ kind: "trial" });
    expect(await recordApicbaseHealth(fixture.db, at(185_000), "up")).toEqual({ state: "closed", failures: 0 });
    expect(await readRefreshControl(fixture.db)).toMatchObject({ breakerState: "closed", budgetTokens: 0 });
    expect(await backgroundGate(fixture.db, at(186_000))).toMatchObject({ kind: "go" });
  });
});

// The fleet simulation runs on PostgreSQL where one is reachable (its statements cost less than PGlite's on a
// loaded machine), else on PGlite.
const postgresAdminUrl = await findPostgres();

describe("fleet simulation", () => {
  let fixture: LifecycleFixture;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = postgresAdminUrl ? await createPostgresDatabase(postgresAdminUrl) : undefined;
    drop = created?.drop;
    fixture = await lifecycleFixture({ databaseUrl: created?.url });
    await fixture.reset();
  }, 60_000);
  afterAll(async () => {
    await fixture?.close();
    await drop?.();
  });

  const refresher = () =>
    new Refresher({
      ctx: fixture.context({
        leaseOwner: "refresher:test",
        actor: { system: "refresher" },
        clientFor: cachedClients(fixture.db, fixture.keyring, fixture.settings, fixture.clock.now),
      }),
      budget: BUDGET,
      concurrency: 4,
      pollMs: 5 * MINUTE,
    });

  it("14 simulated days with 1,000 connections: no access token ever expires, refreshes stay under the budget", async () => {
    const ids = await fixture.insertConnections(1000, { nextRefreshAt: null });
    const worker = refresher();
    const organization = eq(connections.organizationId, fixture.organizationId);
    const refreshedAt: number[] = [];
    const end = fixture.clock.now().getTime() + 14 * DAY_MS;
    let ticks = 0;
    while (fixture.clock.now().getTime() < end) {
      await fixture.clock.sync();
      const report = await worker.tick();
      ticks++;
      expect(report.failed).toBe(0);
      for (let i = 0; i < report.refreshed; i++) refreshedAt.push(fixture.clock.now().getTime());
      const [soonest] = await fixture.db
        .select({ expiry: min(connections.accessTokenExpiresAt), due: min(connections.nextRefreshAt) })
        .from(connections)
        .where(organization);
      expect(soonest!.expiry!.getTime()).toBeGreaterThan(fixture.clock.now().getTime());
      if (report.waitMs === 0) continue;
      // Idle spells are skipped; due connections are taken in 5-minute rounds (or as the budget refills).
      const untilDue = soonest!.due ? soonest!.due.getTime() - fixture.clock.now().getTime() : report.waitMs;
      fixture.clock.advanceLocal(
        report.waiting === "budget" ? Math.max(1000, report.waitMs) : Math.max(5 * MINUTE, untilDue),
      );
    }

    const [versions] = await fixture.db
      .select({
        least: sql<number>`min(${connections.tokenVersion})`,
        most: sql<number>`max(${connections.tokenVersion})`,
      })
      .from(connections)
      .where(and(organization, eq(connections.status, "active")));
    const stats = await fixture.control.stats();
    const peak = peakPerMinute(refreshedAt);
    console.log(
      `14 days, ${ids.length} connections: ${refreshedAt.length} refreshes (${(refreshedAt.length / 14 / 24 / 60).toFixed(2)}/min on average), ` +
        `peak ${peak}/min (budget ${BUDGET.perMinute}/min, burst ${BUDGET.burst}; Apicbase allows 100), ${ticks} ticks`,
    );
    expect(stats.token_grants.refresh_token).toEqual({ ok: refreshedAt.length, error: 0 });
    expect(Number(versions!.least)).toBeGreaterThanOrEqual(3);
    expect(Number(versions!.most)).toBeLessThanOrEqual(4);
    expect(peak).toBeLessThanOrEqual(BUDGET.perMinute + BUDGET.burst);
  }, 240_000);
});
