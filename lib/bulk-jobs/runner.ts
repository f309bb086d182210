/**
 * The bulk job runner: works through the items of running jobs, one connection at a time per worker slot, from every
 * process that runs it (the web server, `npm run worker`). Items are claimed under a lease with FOR UPDATE SKIP
 * LOCKED, like the refresher's connections and the outbox's deliveries, so processes share the work, and an item of
 * a process that died is taken up again once its lease ran out. Refreshes take their share of the shared refresh
 * budget first and wait while Apicbase asked everyone to (Retry-After) or the breaker is open.
 *
 * Each item runs as the person who started the job, whose right to act on the connection's organization is checked
 * again before it starts, and leaves an audit entry on the connection. A process that is shutting down starts no new
 * item: what it claimed and did not start goes back at once, for the next process (or this one, restarted).
 */
import { and, asc, eq, inArray, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import { isPortalAdmin } from "@/lib/auth/admins";
import { createAuthorizationLink } from "@/lib/connections/links";
import { disconnectConnection } from "@/lib/connections/revoke";
import type { ConnectionCode } from "@/lib/connections/codes";
import type { ApicbaseAccess, ConnectionContext } from "@/lib/connections/context";
import { verifyConnection } from "@/lib/connections/service";
import { bulkLinkAad } from "@/lib/crypto/associated-data";
import { encryptSecret } from "@/lib/crypto/secrets";
import {
  applications,
  bulkJobItems,
  bulkJobs,
  connections,
  emailBindings,
  memberships,
  users,
  type BulkAction,
  type BulkItemStatus,
  type BulkJobItem,
} from "@/lib/db/schema";
import { backgroundGate, returnRefreshBudget, takeRefreshBudget, type RefreshBudget } from "@/lib/lifecycle/control";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import { isDraining } from "@/lib/lifecycle/single-flight";
import { describeConnection } from "@/lib/messages/connections";
import { onNewBulkJob } from "./wake";
import { PollingLoop } from "@/lib/wake-timer";

/** Longer than one item takes (one Apicbase call, or two for a verify): a lease never lapses while its item runs. */
export const BULK_LEASE_MS = 2 * 60_000;
/** An item claimed this often without an outcome (its process died each time) is given up. */
export const MAX_ATTEMPTS = 3;
const BATCH = 8;
const CONCURRENCY = 2;

export type BulkRunnerContext = ApicbaseAccess & {
  /** Identifies this process in item leases. */
  owner: string;
  /** The refresher's budget: bulk refreshes count against it like background ones. */
  budget: RefreshBudget;
  /** PORTAL_ADMIN_EMAILS (or the sandbox's admin): admins act on any organization. */
  adminEmails: ReadonlySet<string>;
  log?: (line: string) => void;
};

export type BulkTickReport = {
  claimed: number;
  done: number;
  failed: number;
  skipped: number;
  /** Claimed but handed back unstarted: the process is stopping, or Apicbase asked to wait. */
  released: number;
  gaveUp: number;
  /** Refresh items wait for the budget or for Apicbase: try again after this long. */
  refreshWaitMs: number | null;
};

type Job = {
  id: string;
  action: BulkAction;
  reason: string | null;
  createdByUserId: string | null;
  createdByLabel: string;
};

type Outcome = {
  status: Exclude<BulkItemStatus, "pending">;
  result: string;
  /** What the connection operation answered; stored in words (the item's message), as the job page shows it. */
  answer?: ConnectionCode;
  linkId?: string;
  linkCiphertext?: string;
};

const leaseFree = (now: Date) => or(isNull(bulkJobItems.leaseExpiresAt), lt(bulkJobItems.leaseExpiresAt, now));

/** The ids of pending items of running jobs that meet `more` and that no process holds. */
const openItems = (ctx: BulkRunnerContext, now: Date, ...more: SQL[]) =>
  ctx.db
    .select({ id: bulkJobItems.id })
    .from(bulkJobItems)
    .innerJoin(bulkJobs, eq(bulkJobs.id, bulkJobItems.jobId))
    .where(and(eq(bulkJobItems.status, "pending"), eq(bulkJobs.status, "running"), ...more, leaseFree(now)));

async function claim(ctx: BulkRunnerContext, now: Date, limit: number, refresh: boolean): Promise<BulkJobItem[]> {
  if (limit <= 0) return [];
  const due = openItems(
    ctx,
    now,
    refresh ? eq(bulkJobs.action, "refresh") : ne(bulkJobs.action, "refresh"),
    lt(bulkJobItems.attempts, MAX_ATTEMPTS),
  )
    .orderBy(asc(bulkJobItems.seq))
    .limit(limit)
    .for("update", { of: bulkJobItems, skipLocked: true });
  return ctx.db
    .update(bulkJobItems)
    .set({
      leaseOwner: ctx.owner,
      leaseExpiresAt: new Date(now.getTime() + BULK_LEASE_MS),
      attempts: sql`${bulkJobItems.attempts} + 1`,
    })
    .where(and(inArray(bulkJobItems.id, due), leaseFree(now)))
    .returning();
}

/** Whether any refresh item could be claimed now (before touching the shared budget's row). */
async function refreshesWaiting(ctx: BulkRunnerContext, now: Date): Promise<boolean> {
  const [row] = await openItems(ctx, now, eq(bulkJobs.action, "refresh")).limit(1);
  return Boolean(row);
}

/** Items whose processes died MAX_ATTEMPTS times: failed, so their job can finish. */
async function giveUpStuck(ctx: BulkRunnerContext, now: Date): Promise<number> {
  const stuck = await ctx.db
    .update(bulkJobItems)
    .set({ status: "failed", result: "gave_up", finishedAt: now, leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(bulkJobItems.status, "pending"), sql`${bulkJobItems.attempts} >= ${MAX_ATTEMPTS}`, leaseFree(now)))
    .returning({ id: bulkJobItems.id });
  return stuck.length;
}

/** Hands claimed items back untouched: another process (or this one, later) takes them at once. */
async function release(ctx: BulkRunnerContext, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await ctx.db
    .update(bulkJobItems)
    .set({
      leaseOwner: null,
      leaseExpiresAt: null,
      // Handed back unstarted: this claim does not count towards giving up.
      attempts: sql`greatest(0, ${bulkJobItems.attempts} - 1)`,
    })
    .where(and(inArray(bulkJobItems.id, ids), eq(bulkJobItems.leaseOwner, ctx.owner)));
}

/** Whether the person who started the job may still act on connections of this organization. */
function authorityChecker(ctx: BulkRunnerContext) {
  const cache = new Map<string, Promise<boolean>>();
  return (userId: string | null, organizationId: string): Promise<boolean> => {
    if (!userId) return Promise.resolve(false);
    const key = `${userId}|${organizationId}`;
    let answer = cache.get(key);
    if (!answer) {
      answer = (async () => {
        const [user] = await ctx.db
          .select({ isAdmin: users.isAdmin, email: users.email, apicbaseUserId: users.apicbaseUserId })
          .from(users)
          .where(eq(users.id, userId));
        if (!user) return false;
        if (await isAdmin(ctx, user)) return true;
        const [member] = await ctx.db
          .select({ userId: memberships.userId })
          .from(memberships)
          .where(and(eq(memberships.userId, userId), eq(memberships.organizationId, organizationId)));
        return Boolean(member);
      })();
      cache.set(key, answer);
    }
    return answer;
  };
}

/** The sign-in's admin rule (lib/auth/admins.ts): promoted, or a configured e-mail bound to this Apicbase user. */
async function isAdmin(
  ctx: BulkRunnerContext,
  user: { isAdmin: boolean; email: string | null; apicbaseUserId: number },
): Promise<boolean> {
  if (user.isAdmin) return true;
  if (!user.email || !ctx.adminEmails.has(user.email.toLowerCase())) return false;
  const [binding] = await ctx.db
    .select({ apicbaseUserId: emailBindings.apicbaseUserId })
    .from(emailBindings)
    .where(eq(emailBindings.email, user.email.toLowerCase()));
  return isPortalAdmin({ ...user, emailBound: binding?.apicbaseUserId === user.apicbaseUserId }, ctx.adminEmails);
}

function connectionContext(ctx: BulkRunnerContext, job: Job): ConnectionContext {
  return {
    db: ctx.db,
    keyring: ctx.keyring,
    clientFor: ctx.clientFor,
    now: ctx.now,
    actor: { id: job.createdByUserId!, email: job.createdByLabel },
    leaseOwner: ctx.owner,
  };
}

/** One item's action; "released" when it did not start (the process began shutting down, or Apicbase said wait). */
async function runItem(
  ctx: BulkRunnerContext,
  job: Job,
  item: BulkJobItem,
): Promise<Outcome | { released: true; retryAfterSeconds?: number }> {
  const cc = connectionContext(ctx, job);
  const args = { organizationId: item.organizationId, connectionId: item.connectionId };
  switch (job.action) {
    case "verify": {
      const result = await verifyConnection(cc, args);
      if (result.ok) {
        return {
          status: "done",
          result: !result.active ? "not_active" : result.drift ? "other_library" : "active",
          answer: result,
        };
      }
      if (result.reason === "apicbase")
        return { status: "failed", result: result.apicbaseError ?? "apicbase", answer: result };
      return { status: "skipped", result: result.reason, answer: result };
    }
    case "refresh": {
      const result = await refreshConnection(cc, args, { kind: "bulk" });
      if (result.ok) return { status: "done", result: result.refreshed ? "refreshed" : "fresh" };
      if (result.shuttingDown) return { released: true };
      if (result.retryAfterSeconds && result.apicbaseError === "rate_limited") {
        return { released: true, retryAfterSeconds: result.retryAfterSeconds };
      }
      if (result.reason === "apicbase")
        return { status: "failed", result: result.apicbaseError ?? "apicbase", answer: result };
      return { status: "skipped", result: result.reason, answer: result };
    }
    case "revoke": {
      const result = await disconnectConnection(cc, { ...args, reason: job.reason ?? "Revoked in bulk." });
      if (result.ok) return { status: "done", result: result.revocation, answer: result };
      if (result.reason === "apicbase")
        return { status: "failed", result: result.apicbaseError ?? "apicbase", answer: result };
      return { status: "skipped", result: result.reason, answer: result };
    }
    case "reauthorization_links":
      return createLink(ctx, job, item);
  }
}

async function createLink(ctx: BulkRunnerContext, job: Job, item: BulkJobItem): Promise<Outcome> {
  const [row] = await ctx.db
    .select({
      status: connections.status,
      applicationId: connections.applicationId,
      redirectMode: applications.redirectMode,
    })
    .from(connections)
    .innerJoin(applications, eq(applications.id, connections.applicationId))
    .where(and(eq(connections.id, item.connectionId), eq(connections.organizationId, item.organizationId)));
  if (!row) return { status: "skipped", result: "not_found" };
  // Re-authorized (or revoked) since the job was started: no link needed any more.
  if (row.status !== "needs_reauthorization") return { status: "skipped", result: "not_needed" };
  // A link's approval comes back through the portal's redirect URI, which such an application cannot use.
  if (row.redirectMode === "oob") return { status: "skipped", result: "no_redirect" };
  const now = ctx.now();
  const link = await createAuthorizationLink(ctx.db, {
    organizationId: item.organizationId,
    applicationId: row.applicationId,
    connectionId: item.connectionId,
    createdByUserId: job.createdByUserId,
    now,
  });
  await recordAudit(ctx.db, {
    actor: { id: job.createdByUserId!, email: job.createdByLabel },
    event: "authorization_link_created",
    outcome: "success",
    organizationId: item.organizationId,
    connectionId: item.connectionId,
    detail: { kind: "reauthorize", expiresAt: link.expiresAt.toISOString(), bulkJobId: job.id },
  });
  return {
    status: "done",
    result: "link_created",
    linkId: link.id,
    linkCiphertext: encryptSecret(ctx.keyring, link.token, bulkLinkAad(item.id)),
  };
}

/** Stores an item's outcome and its audit entry together; nothing when the lease was lost meanwhile. */
async function settle(ctx: BulkRunnerContext, job: Job, item: BulkJobItem, outcome: Outcome): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const written = await tx
      .update(bulkJobItems)
      .set({
        status: outcome.status,
        result: outcome.result,
        message: outcome.answer ? describeConnection(outcome.answer) : null,
        linkId: outcome.linkId ?? null,
        linkCiphertext: outcome.linkCiphertext ?? null,
        finishedAt: now,
        leaseOwner: null,
        leaseExpiresAt: null,
      })
      .where(
        and(eq(bulkJobItems.id, item.id), eq(bulkJobItems.status, "pending"), eq(bulkJobItems.leaseOwner, ctx.owner)),
      )
      .returning({ id: bulkJobItems.id });
    if (written.length === 0 || outcome.status === "cancelled") return;
    await recordAudit(tx, {
      actor: job.createdByUserId
        ? { id: job.createdByUserId, email: job.createdByLabel }
        : { system: `bulk job of ${job.createdByLabel}` },
      event: "bulk_job_item",
      outcome: outcome.status === "failed" || outcome.result === "not_allowed" ? "failure" : "success",
      organizationId: item.organizationId,
      connectionId: item.connectionId,
      detail: { jobId: job.id, action: job.action, status: outcome.status, result: outcome.result },
    });
  });
}

/** Jobs with nothing left pending are done (a cancelled job stays cancelled). */
async function finishJobs(ctx: BulkRunnerContext, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await ctx.db
    .update(bulkJobs)
    .set({ status: "done", finishedAt: ctx.now() })
    .where(
      and(
        inArray(bulkJobs.id, jobIds),
        eq(bulkJobs.status, "running"),
        sql`not exists (
          select 1 from ${bulkJobItems}
          where ${bulkJobItems.jobId} = ${bulkJobs.id} and ${bulkJobItems.status} = 'pending'
        )`,
      ),
    );
}

/**
 * Claims what is due (refreshes within the budget), runs it, stores each outcome. `halting` says the process is
 * stopping: from then on no item starts, and the claimed rest goes back.
 */
export async function runDueBulkItems(
  ctx: BulkRunnerContext,
  halting: () => boolean = isDraining,
): Promise<BulkTickReport> {
  const report: BulkTickReport = {
    claimed: 0,
    done: 0,
    failed: 0,
    skipped: 0,
    released: 0,
    gaveUp: 0,
    refreshWaitMs: null,
  };
  if (halting()) return report;
  const now = ctx.now();
  report.gaveUp = await giveUpStuck(ctx, now);
  const claimed = await claim(ctx, now, BATCH, false);

  // Refreshes: only while Apicbase lets background refreshes go, and as many as the shared budget grants.
  let granted = 0;
  const gate = (await refreshesWaiting(ctx, now)) ? await backgroundGate(ctx.db, now) : null;
  if (!gate) {
    // No refresh item waits: the shared budget is left alone.
  } else if (gate.kind === "go") {
    const taken = await takeRefreshBudget(ctx.db, now, BATCH, ctx.budget);
    granted = taken.granted;
    if (granted === 0) report.refreshWaitMs = taken.waitMs;
  } else report.refreshWaitMs = gate.kind === "wait" ? Math.max(100, gate.until.getTime() - now.getTime()) : 1_000;
  const refreshes = await claim(ctx, now, granted, true);
  await returnRefreshBudget(ctx.db, granted - refreshes.length, ctx.budget);
  claimed.push(...refreshes);
  report.claimed = claimed.length;
  if (claimed.length === 0) return report;

  const jobIds = [...new Set(claimed.map((item) => item.jobId))];
  const jobRows = await ctx.db
    .select({
      id: bulkJobs.id,
      action: bulkJobs.action,
      reason: bulkJobs.reason,
      createdByUserId: bulkJobs.createdByUserId,
      createdByLabel: bulkJobs.createdByLabel,
    })
    .from(bulkJobs)
    .where(inArray(bulkJobs.id, jobIds));
  const jobs = new Map<string, Job>(jobRows.map((job) => [job.id, job]));
  const mayAct = authorityChecker(ctx);
  const queue = [...claimed];
  let refreshesHeld = false;
  let unusedRefreshes = 0;

  const work = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const job = jobs.get(item.jobId)!;
      if (halting() || (job.action === "refresh" && refreshesHeld)) {
        await release(ctx, [item.id]);
        report.released++;
        if (job.action === "refresh") unusedRefreshes++;
        continue;
      }
      // Cancelled while claimed: the item stays undone.
      const [current] = await ctx.db.select({ status: bulkJobs.status }).from(bulkJobs).where(eq(bulkJobs.id, job.id));
      if (current?.status !== "running") {
        await settle(ctx, job, item, { status: "cancelled", result: "cancelled" });
        if (job.action === "refresh") unusedRefreshes++;
        continue;
      }
      let outcome: Outcome;
      if (!(await mayAct(job.createdByUserId, item.organizationId))) {
        outcome = { status: "skipped", result: "not_allowed" };
        if (job.action === "refresh") unusedRefreshes++;
      } else {
        try {
          const ran = await runItem(ctx, job, item);
          if ("released" in ran) {
            await release(ctx, [item.id]);
            report.released++;
            if (ran.retryAfterSeconds) {
              refreshesHeld = true;
              report.refreshWaitMs = ran.retryAfterSeconds * 1000;
            }
            continue;
          }
          outcome = ran;
        } catch (error) {
          ctx.log?.(`bulk item ${item.id} of job ${job.id} failed: ${describe(error)}`);
          outcome = { status: "failed", result: "portal_error" };
        }
      }
      await settle(ctx, job, item, outcome);
      if (outcome.status === "done") report.done++;
      else if (outcome.status === "failed") report.failed++;
      else report.skipped++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, work));
  await returnRefreshBudget(ctx.db, unusedRefreshes, ctx.budget);
  await finishJobs(ctx, jobIds);
  return report;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Database errors carry their parameters (ciphertexts): only the driver's own message goes to the log.
  if (error.message.startsWith("Failed query")) return error.cause instanceof Error ? error.cause.message : "database";
  return error.message;
}

/** Runs runDueBulkItems() until stop(); polls every second, and at once when this process starts a job. */
export class BulkRunner {
  private readonly loop: PollingLoop;

  constructor(
    private readonly ctx: BulkRunnerContext,
    private readonly pollMs = 1_000,
  ) {
    this.loop = new PollingLoop(onNewBulkJob, () => this.round());
  }

  private async round(): Promise<number | null> {
    let waitMs = this.pollMs;
    try {
      const report = await runDueBulkItems(this.ctx, () => this.loop.isStopping || isDraining());
      // More claimed than ran means more may be waiting: go again at once.
      if (report.claimed > 0 && report.released === 0) waitMs = 0;
      else if (report.refreshWaitMs !== null) waitMs = Math.min(this.pollMs * 5, report.refreshWaitMs);
    } catch (error) {
      this.ctx.log?.(`bulk round failed: ${describe(error)}`);
    }
    return waitMs > 0 ? waitMs : null;
  }

  start(opts: { unref?: boolean } = {}): void {
    this.loop.start(opts);
  }

  /** Stops claiming; items under way finish (one Apicbase call each), claimed ones not started go back. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
