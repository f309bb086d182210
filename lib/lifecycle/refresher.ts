/**
 * The background refresher: refreshes every connection well before its access token expires, idle ones included
 * (so a grant revoked at Apicbase shows up days before anyone needs the connection), within a refresh budget
 * shared by every process, and paused while Apicbase is down. Any number of refreshers (web processes, workers)
 * can run at once: due connections are claimed under a lease with FOR UPDATE SKIP LOCKED.
 */
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { resumeRevocations } from "@/lib/connections/revoke";
import type { ConnectionContext } from "@/lib/connections/context";
import { applications, connections, type Connection } from "@/lib/db/schema";
import {
  abandonTrial,
  admitBackgroundRefreshes,
  recordApicbaseHealth,
  returnRefreshBudget,
  type Breaker,
  type RefreshBudget,
} from "./control";
import { REFRESH_LEASE_MS, REFRESHABLE_STATUSES, refreshClaimed, releaseLease, releaseLeases } from "./refresh";
import { planNextRefresh, type Random } from "./schedule";
import { describeError } from "@/lib/log";
import { isDraining } from "./single-flight";
import type { RefreshResult } from "./types";
import { WakeTimer } from "@/lib/wake-timer";

export type RefresherOptions = {
  /** Acts as `ctx.actor` (e.g. `{ system: "refresher" }`), leases as `ctx.leaseOwner`, on `ctx.now()`'s clock. */
  ctx: ConnectionContext;
  budget: RefreshBudget;
  /** Refreshes this process runs at once. */
  concurrency: number;
  /** How often to look for due connections when none were due. Default 15 s. */
  pollMs?: number;
  random?: Random;
  /** One line per tick that did something; never a token. */
  log?: (line: string) => void;
};

export type TickReport = {
  /** Connections that had no refresh planned yet and got one. */
  scheduled: number;
  claimed: number;
  refreshed: number;
  /** Claimed but fresh already (refreshed by someone else meanwhile). */
  skipped: number;
  failed: number;
  /** Claimed but handed back untouched: Apicbase went down mid-batch, or the process began shutting down. */
  released: number;
  /** Why nothing ran, when nothing could. */
  waiting?: "retry_after" | "breaker_open" | "trial_running" | "budget";
  breaker: Breaker["state"];
  /** When the next tick should run. */
  waitMs: number;
  /** Revokes interrupted half way (rows left `revoking`) that this tick took up again. */
  revocationsResumed?: number;
};

const SCHEDULE_BATCH = 500;
/** A tick claims this many rounds of `concurrency` refreshes: fewer ticks, and workers rarely wait for each other. */
const BATCH_ROUNDS = 4;
/** A claimed connection is only refreshed while its lease has this long left (else another process may take it). */
const MIN_LEASE_LEFT_MS = 30_000;
/** Connections without a planned refresh are rare (connecting plans one): looked for every 10 minutes. */
const PLANNING_INTERVAL_MS = 10 * 60_000;
/** Interrupted revokes are looked for once a minute: they are rare, and nothing uses a `revoking` row meanwhile. */
const REVOCATION_SWEEP_INTERVAL_MS = 60_000;

export class Refresher {
  private readonly ctx: ConnectionContext;
  private readonly pollMs: number;
  private readonly random: Random;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly timer = new WakeTimer();
  private nextPlanningAt = 0;
  private nextRevocationSweepAt = 0;
  /** The batch being worked through: stop() hands back what has not started. */
  private batch: { queue: Connection[]; report: TickReport; handedBack: Promise<void>[] } | undefined;

  constructor(private readonly options: RefresherOptions) {
    this.ctx = options.ctx;
    this.pollMs = options.pollMs ?? 15_000;
    this.random = options.random ?? Math.random;
  }

  /** Plans, claims and refreshes what is due now, as far as the budget and the breaker allow. */
  async tick(): Promise<TickReport> {
    const { db } = this.ctx;
    const now = this.ctx.now();
    const idle: TickReport = {
      scheduled: 0,
      claimed: 0,
      refreshed: 0,
      skipped: 0,
      failed: 0,
      released: 0,
      breaker: "closed",
      waitMs: this.pollMs,
    };
    // Stopping: nothing new is claimed (and no revoke resumed, which would call Apicbase).
    if (this.halting()) return idle;
    const report: TickReport = { ...idle, scheduled: await this.scheduleUnplanned(now) };
    const revocationsResumed = await this.sweepRevocations(now);
    if (revocationsResumed) report.revocationsResumed = revocationsResumed;

    const { gate, granted, waitMs } = await admitBackgroundRefreshes(
      db,
      now,
      this.options.concurrency * BATCH_ROUNDS,
      this.options.budget,
    );
    report.breaker = gate.breaker.state;
    if (gate.kind === "wait")
      return { ...report, waiting: gate.reason, waitMs: Math.min(this.pollMs, Math.max(100, waitMs)) };
    if (granted === 0) return { ...report, waiting: "budget", waitMs: Math.min(this.pollMs, waitMs) };
    if (this.halting()) {
      await returnRefreshBudget(db, granted, this.options.budget);
      if (gate.kind === "trial") await abandonTrial(db, now);
      return report;
    }
    const claimed = await this.claimDue(now, granted);
    report.claimed = claimed.length;
    await returnRefreshBudget(db, granted - claimed.length, this.options.budget);
    if (claimed.length === 0) {
      if (gate.kind === "trial") await abandonTrial(db, now);
      return report;
    }

    let breaker = gate.breaker;
    let halted = false;
    // Applications whose credentials Apicbase refused in this batch: their other connections wait with them.
    const refusedApplications = new Set<string>();
    const queue = [...claimed];
    const batch = (this.batch = { queue, report, handedBack: [] as Promise<void>[] });
    if (this.halting()) this.handBack(batch);
    const work = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const leaseLeft = (row.leaseExpiresAt?.getTime() ?? 0) - this.ctx.now().getTime();
        // Once stopping, the rest of the batch goes back at once (lease cleared): another process takes it now.
        if (halted || this.halting() || refusedApplications.has(row.applicationId) || leaseLeft < MIN_LEASE_LEFT_MS) {
          await releaseLease(this.ctx, row.id);
          report.released++;
          continue;
        }
        const result = await refreshClaimed(this.ctx, row);
        if (!result.ok && result.shuttingDown) {
          // The shutdown began between the check above and the call: nothing was sent, the lease is back.
          report.released++;
          continue;
        }
        this.count(report, result);
        if (!result.ok && result.apicbaseError === "invalid_client") refusedApplications.add(row.applicationId);
        const health = apicbaseHealth(result);
        // Only news is written: a healthy Apicbase with a closed, clean breaker needs no write per refresh.
        if (health === "down" || (health === "up" && (breaker.state !== "closed" || breaker.failures > 0))) {
          breaker = await recordApicbaseHealth(db, this.ctx.now(), health);
        }
        if (breaker.state === "open" || (!result.ok && result.retryAfterSeconds)) halted = true;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.options.concurrency, claimed.length) }, work));
    } finally {
      this.batch = undefined;
      await Promise.all(batch.handedBack);
    }
    await returnRefreshBudget(db, report.released, this.options.budget);
    // A trial that told nothing about Apicbase (the connection was fresh, or Apicbase asked to wait) is tried again.
    if (gate.kind === "trial" && breaker.state === "half_open") await abandonTrial(db, this.ctx.now());
    report.breaker = breaker.state;
    // A full batch means more may be due: go again at once (the budget paces it).
    report.waitMs = claimed.length === granted && !halted ? 0 : this.pollMs;
    return report;
  }

  /** The batch's connections not started yet go back at once, in one write: another process may take them now. */
  private handBack(batch: NonNullable<Refresher["batch"]>): void {
    const rows = batch.queue.splice(0);
    if (rows.length === 0) return;
    batch.report.released += rows.length;
    batch.handedBack.push(
      releaseLeases(
        this.ctx,
        rows.map((row) => row.id),
      ).catch((error: unknown) => {
        // Their leases run out on their own (REFRESH_LEASE_MS); the next holder finds nothing was started.
        this.options.log?.(`handing back ${rows.length} claimed refresh(es) failed: ${describeError(error)}`);
      }),
    );
  }

  /** stop() was called, or the process is shutting down: no refresh may start. */
  private halting(): boolean {
    return this.stopping || isDraining();
  }

  private count(report: TickReport, result: RefreshResult) {
    if (result.ok) {
      if (result.refreshed) report.refreshed++;
      else report.skipped++;
    } else if (result.reason === "busy" || result.reason === "not_refreshable") report.skipped++;
    else report.failed++;
  }

  /** Finishes revokes left `revoking` by a process that died or an Apicbase that failed; never fails the tick. */
  private async sweepRevocations(now: Date): Promise<number> {
    if (now.getTime() < this.nextRevocationSweepAt) return 0;
    this.nextRevocationSweepAt = now.getTime() + REVOCATION_SWEEP_INTERVAL_MS;
    try {
      return (await resumeRevocations(this.ctx)).resumed;
    } catch (error) {
      this.options.log?.(`resuming interrupted revokes failed: ${describeError(error)}`);
      return 0;
    }
  }

  /** Connections without a planned refresh (from before the refresher existed, or imported) get one. */
  private async scheduleUnplanned(now: Date): Promise<number> {
    if (now.getTime() < this.nextPlanningAt) return 0;
    const rows = await this.ctx.db
      .select({ id: connections.id, expiresAt: connections.accessTokenExpiresAt })
      .from(connections)
      .where(and(inArray(connections.status, REFRESHABLE_STATUSES), isNull(connections.nextRefreshAt)))
      .limit(SCHEDULE_BATCH);
    if (rows.length === 0) {
      this.nextPlanningAt = now.getTime() + PLANNING_INTERVAL_MS;
      return 0;
    }
    const planned = rows.map((row) => {
      const at = row.expiresAt ? planNextRefresh(row.expiresAt, now, this.random) : now;
      return sql`(${row.id}::uuid, ${at.toISOString()}::timestamptz)`;
    });
    await this.ctx.db.execute(sql`
      update ${connections} set next_refresh_at = planned.at
      from (values ${sql.join(planned, sql`, `)}) as planned(id, at)
      where ${connections.id} = planned.id and ${connections.nextRefreshAt} is null`);
    return rows.length;
  }

  /**
   * Leases up to `limit` due connections, most overdue first, skipping rows another process is claiming right now,
   * leased connections and applications whose refreshes are paused.
   */
  private async claimDue(now: Date, limit: number): Promise<Connection[]> {
    const { db, leaseOwner } = this.ctx;
    const leaseFree = or(isNull(connections.leaseExpiresAt), lt(connections.leaseExpiresAt, now));
    const due = db
      .select({ id: connections.id })
      .from(connections)
      .innerJoin(applications, eq(applications.id, connections.applicationId))
      .where(
        and(
          inArray(connections.status, REFRESHABLE_STATUSES),
          lte(connections.nextRefreshAt, now),
          leaseFree,
          or(isNull(applications.refreshPausedUntil), lte(applications.refreshPausedUntil, now)),
        ),
      )
      .orderBy(asc(connections.nextRefreshAt))
      .limit(limit)
      .for("update", { of: connections, skipLocked: true });
    return db
      .update(connections)
      .set({
        leaseOwner,
        leaseExpiresAt: new Date(now.getTime() + REFRESH_LEASE_MS),
        leaseTakenOverFrom: sql`coalesce(${connections.leaseOwner}, ${connections.leaseTakenOverFrom})`,
      })
      .where(and(inArray(connections.id, due), leaseFree))
      .returning();
  }

  /** Runs ticks until stop(); a failing tick is logged and retried after the poll interval. */
  start(opts: { initialDelayMs?: number; unref?: boolean } = {}): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = (async () => {
      await this.sleep(opts.initialDelayMs ?? 0, opts.unref);
      while (!this.stopping) {
        let waitMs = this.pollMs;
        try {
          const report = await this.tick();
          waitMs = report.waitMs;
          this.logReport(report);
        } catch (error) {
          this.options.log?.(`tick failed: ${describeError(error)}`);
        }
        await this.sleep(waitMs, opts.unref);
      }
    })();
  }

  /**
   * Stops taking new work: claimed connections not started yet are handed back at once (their leases cleared, so
   * another process takes them), and only the refreshes already sent to Apicbase are awaited and stored. Ends
   * within one Apicbase call (APICBASE_TIMEOUT_MS) plus the time to store its answer.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.batch) this.handBack(this.batch);
    this.timer.wake();
    await this.loop;
    this.loop = undefined;
  }

  private sleep(ms: number, unref = false): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return this.timer.sleep(ms, unref);
  }

  private logReport(report: TickReport) {
    if (!this.options.log || report.claimed + report.scheduled + (report.revocationsResumed ?? 0) === 0) return;
    const parts = [`refreshed ${report.refreshed}`, `failed ${report.failed}`, `skipped ${report.skipped}`];
    if (report.revocationsResumed) parts.push(`resumed ${report.revocationsResumed} interrupted revoke(s)`);
    if (report.scheduled) parts.push(`planned ${report.scheduled}`);
    if (report.released) parts.push(`handed back ${report.released}`);
    if (report.breaker !== "closed") parts.push(`breaker ${report.breaker}`);
    this.options.log(parts.join(", "));
  }
}

/** What a refresh says about Apicbase itself: answered, down, or nothing (it never asked, or asked to wait). */
function apicbaseHealth(result: RefreshResult): "up" | "down" | null {
  if (result.ok) return result.refreshed ? "up" : null;
  if (result.reason !== "apicbase" || result.retryAfterSeconds) return null;
  return result.apicbaseDown ? "down" : "up";
}
