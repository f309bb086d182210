/**
 * What every process's refresher shares through the database (one `refresh_control` row): the refresh budget under
 * Apicbase's rate limit, the pause Apicbase asked for with Retry-After, and the circuit breaker that stops
 * background refreshes while Apicbase is down.
 */
import { eq, sql } from "drizzle-orm";
import type { Db, DbTransaction } from "@/lib/db/client";
import { refreshControl, type BreakerState, type RefreshControl } from "@/lib/db/schema";

const ROW = "apicbase";

export type RefreshBudget = {
  /** Background refreshes per minute across all processes. */
  perMinute: number;
  /** How many may go at once after a quiet spell. */
  burst: number;
};

/** Background refreshes failing in a row because Apicbase is down before the breaker opens. */
export const BREAKER_THRESHOLD = 5;
/** The breaker's first pause; each failed trial doubles it, up to the maximum. */
export const BREAKER_COOLDOWN_MS = 60_000;
export const BREAKER_MAX_COOLDOWN_MS = 5 * 60_000;
/** A trial refresh that has not reported back by then is presumed lost with its process. */
const PROBE_TIMEOUT_MS = 2 * 60_000;
/** Interactive refreshes may take the budget this far below zero, slowing background refreshes down for a while. */
const INTERACTIVE_DEBT = 10;

/** A new row's budget was last refilled long ago: its bucket starts full, whatever the burst. */
const LONG_AGO = new Date(0);

async function lockedRow(tx: DbTransaction): Promise<RefreshControl> {
  const select = () => tx.select().from(refreshControl).where(eq(refreshControl.id, ROW)).for("update");
  const [existing] = await select();
  if (existing) return existing;
  await tx
    .insert(refreshControl)
    .values({ id: ROW, budgetTokens: 0, budgetRefilledAt: LONG_AGO })
    .onConflictDoNothing();
  const [created] = await select();
  if (!created) throw new Error("refresh_control row missing");
  return created;
}

function refilled(row: RefreshControl, now: Date, budget: RefreshBudget): number {
  const elapsed = Math.max(0, now.getTime() - row.budgetRefilledAt.getTime());
  return Math.min(budget.burst, row.budgetTokens + (elapsed * budget.perMinute) / 60_000);
}

const later = (a: Date, b: Date) => (a.getTime() >= b.getTime() ? a : b);

/**
 * Takes up to `wanted` background refreshes from the shared budget. Grants whole refreshes only; with none
 * available, says how long until the next one.
 */
export async function takeRefreshBudget(
  db: Db,
  now: Date,
  wanted: number,
  budget: RefreshBudget,
): Promise<{ granted: number; waitMs: number }> {
  return db.transaction(async (tx) => takeFrom(tx, await lockedRow(tx), now, wanted, budget));
}

async function takeFrom(tx: DbTransaction, row: RefreshControl, now: Date, wanted: number, budget: RefreshBudget) {
  const available = refilled(row, now, budget);
  const granted = Math.max(0, Math.min(wanted, Math.floor(available)));
  await tx
    .update(refreshControl)
    .set({ budgetTokens: available - granted, budgetRefilledAt: later(now, row.budgetRefilledAt) })
    .where(eq(refreshControl.id, ROW));
  const waitMs = granted > 0 ? 0 : Math.ceil(((1 - available) * 60_000) / budget.perMinute);
  return { granted, waitMs };
}

/** Hands back what a batch did not use (fewer connections were due than the budget allowed). */
export async function returnRefreshBudget(db: Db, count: number, budget: RefreshBudget): Promise<void> {
  if (count <= 0) return;
  await db
    .update(refreshControl)
    .set({ budgetTokens: sql`least(${budget.burst}, ${refreshControl.budgetTokens} + ${count})` })
    .where(eq(refreshControl.id, ROW));
}

/**
 * An interactive refresh (a click, the token API) is never refused by the budget but uses it up, so background
 * refreshes slow down and the total stays under Apicbase's limit. Answers how long Apicbase asked everyone to wait,
 * if it did.
 */
export async function spendInteractiveRefresh(db: Db, now: Date): Promise<{ waitSeconds: number | null }> {
  const [row] = await db
    .update(refreshControl)
    .set({ budgetTokens: sql`greatest(${refreshControl.budgetTokens} - 1, ${-INTERACTIVE_DEBT})` })
    .where(eq(refreshControl.id, ROW))
    .returning({ pausedUntil: refreshControl.pausedUntil });
  const until = row?.pausedUntil?.getTime() ?? 0;
  return { waitSeconds: until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : null };
}

/** Apicbase answered 429 or 503 with Retry-After: no process refreshes before then. */
export async function pauseRefreshes(db: Db | DbTransaction, until: Date): Promise<void> {
  const at = until.toISOString();
  await db
    .insert(refreshControl)
    .values({ id: ROW, budgetTokens: 0, budgetRefilledAt: LONG_AGO, pausedUntil: until })
    .onConflictDoUpdate({
      target: refreshControl.id,
      set: {
        pausedUntil: sql`greatest(coalesce(${refreshControl.pausedUntil}, ${at}::timestamptz), ${at}::timestamptz)`,
      },
    });
}

export type Breaker = { state: BreakerState; failures: number };

/** What the background refresher may do now. */
export type Gate =
  | { kind: "go"; breaker: Breaker }
  /** The breaker is half open: exactly one trial refresh, whose outcome closes or reopens it. */
  | { kind: "trial"; breaker: Breaker }
  | { kind: "wait"; until: Date; reason: "retry_after" | "breaker_open" | "trial_running"; breaker: Breaker };

export async function backgroundGate(db: Db, now: Date): Promise<Gate> {
  return db.transaction(async (tx) => gateFor(tx, await lockedRow(tx), now));
}

/**
 * The gate and the budget in one transaction (one round trip per tick): how many due connections this refresher
 * may claim now. A trial gets one, or goes back to open when the budget has none.
 */
export async function admitBackgroundRefreshes(
  db: Db,
  now: Date,
  wanted: number,
  budget: RefreshBudget,
): Promise<{ gate: Gate; granted: number; waitMs: number }> {
  return db.transaction(async (tx) => {
    const row = await lockedRow(tx);
    const gate = await gateFor(tx, row, now);
    if (gate.kind === "wait") return { gate, granted: 0, waitMs: gate.until.getTime() - now.getTime() };
    const taken = await takeFrom(tx, row, now, gate.kind === "trial" ? 1 : wanted, budget);
    if (gate.kind === "trial" && taken.granted === 0) {
      await tx
        .update(refreshControl)
        .set({ breakerState: "open", breakerOpenUntil: now, breakerProbeStartedAt: null })
        .where(eq(refreshControl.id, ROW));
    }
    return { gate, ...taken };
  });
}

async function gateFor(tx: DbTransaction, row: RefreshControl, now: Date): Promise<Gate> {
  const breaker: Breaker = { state: row.breakerState, failures: row.breakerFailures };
  if (row.pausedUntil && row.pausedUntil > now)
    return { kind: "wait", until: row.pausedUntil, reason: "retry_after", breaker };
  if (row.breakerState === "closed") return { kind: "go", breaker };
  if (row.breakerState === "open" && row.breakerOpenUntil && row.breakerOpenUntil > now) {
    return { kind: "wait", until: row.breakerOpenUntil, reason: "breaker_open", breaker };
  }
  const trialRunning =
    row.breakerState === "half_open" &&
    row.breakerProbeStartedAt &&
    now.getTime() - row.breakerProbeStartedAt.getTime() < PROBE_TIMEOUT_MS;
  if (trialRunning) {
    return {
      kind: "wait",
      until: new Date(row.breakerProbeStartedAt!.getTime() + PROBE_TIMEOUT_MS),
      reason: "trial_running",
      breaker,
    };
  }
  await tx
    .update(refreshControl)
    .set({ breakerState: "half_open", breakerProbeStartedAt: now })
    .where(eq(refreshControl.id, ROW));
  return { kind: "trial", breaker: { state: "half_open", failures: row.breakerFailures } };
}

/** A trial that found nothing due: back to open, to be tried again at once. */
export async function abandonTrial(db: Db, now: Date): Promise<void> {
  await db
    .update(refreshControl)
    .set({ breakerState: "open", breakerOpenUntil: now, breakerProbeStartedAt: null })
    .where(eq(refreshControl.id, ROW));
}

/**
 * The outcome of a background refresh, as far as Apicbase's health goes. "down": a 5xx, a timeout, a broken or
 * refused connection. "up": Apicbase answered (a success, or an error about this connection or application).
 * Opening pauses background refreshes; closing empties the budget so the backlog drains at the budget's pace
 * instead of in one burst.
 */
export async function recordApicbaseHealth(db: Db, now: Date, health: "up" | "down"): Promise<Breaker> {
  return db.transaction(async (tx) => {
    const row = await lockedRow(tx);
    if (health === "up") {
      if (row.breakerState === "closed" && row.breakerFailures === 0) return { state: "closed", failures: 0 };
      const reopened = row.breakerState !== "closed";
      await tx
        .update(refreshControl)
        .set({
          breakerState: "closed",
          breakerFailures: 0,
          breakerOpenUntil: null,
          breakerProbeStartedAt: null,
          breakerCooldownSeconds: BREAKER_COOLDOWN_MS / 1000,
          ...(reopened ? { budgetTokens: 0, budgetRefilledAt: now } : {}),
        })
        .where(eq(refreshControl.id, ROW));
      return { state: "closed", failures: 0 };
    }
    const failures = row.breakerFailures + 1;
    if (row.breakerState === "half_open" || (row.breakerState === "closed" && failures >= BREAKER_THRESHOLD)) {
      // A failed trial doubles the pause; the first opening uses the base cooldown.
      const cooldownMs =
        row.breakerState === "half_open"
          ? Math.min(BREAKER_MAX_COOLDOWN_MS, row.breakerCooldownSeconds * 2000)
          : BREAKER_COOLDOWN_MS;
      await tx
        .update(refreshControl)
        .set({
          breakerState: "open",
          breakerFailures: failures,
          breakerOpenUntil: new Date(now.getTime() + cooldownMs),
          breakerCooldownSeconds: cooldownMs / 1000,
          breakerProbeStartedAt: null,
        })
        .where(eq(refreshControl.id, ROW));
      return { state: "open", failures };
    }
    await tx.update(refreshControl).set({ breakerFailures: failures }).where(eq(refreshControl.id, ROW));
    return { state: row.breakerState, failures };
  });
}

/** The shared state as it stands (tests, the worker's status line). */
export async function readRefreshControl(db: Db): Promise<RefreshControl | undefined> {
  const [row] = await db.select().from(refreshControl).where(eq(refreshControl.id, ROW));
  return row;
}
