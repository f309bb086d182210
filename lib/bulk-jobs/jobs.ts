/**
 * Bulk jobs: one action over many connections, as rows the background runner (./runner.ts) works through. Creating a
 * job writes one item per connection the action applies to, in a single INSERT … SELECT scoped to the organization
 * (or, for an admin's job, to every organization) in the statement itself. The caller (lib/dal/bulk-jobs.ts)
 * decides who may create, read and cancel which job; this module only builds the SQL.
 */
import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { whereForList } from "@/lib/connections/queries";
import type { ConnectionFilters } from "@/lib/connections/view";
import type { Db, DbExecutor } from "@/lib/db/client";
import {
  authorizationLinks,
  bulkJobItems,
  bulkJobs,
  connections,
  organizations,
  type BulkAction,
  type BulkItemStatus,
  type BulkJobStatus,
} from "@/lib/db/schema";
import { pick } from "@/lib/db/columns";
import { countPages } from "@/lib/db/pages";

/** At most this many connections picked one by one (a page of the list holds 25); more goes through a filter. */
export const MAX_SELECTED = 500;
export const JOB_ITEMS_PAGE_SIZE = 50;
/** The jobs panel shows the latest few. */
export const RECENT_JOBS = 5;

const c = connections;

/** Which of the chosen connections an action applies to; the others are counted as matched but get no item. */
export function appliesTo(action: BulkAction): SQL {
  switch (action) {
    case "verify":
      return and(ne(c.status, "revoking"), ne(c.status, "revoked"))!;
    case "refresh":
      return inArray(c.status, ["active", "refresh_failing"]);
    case "reauthorization_links":
      return eq(c.status, "needs_reauthorization");
    case "revoke":
      return ne(c.status, "revoked");
  }
}

export type BulkSelection =
  { kind: "selected"; connectionIds: string[] } | { kind: "filter"; filters: ConnectionFilters; query: string };

export type NewBulkJob = {
  /** Null: every organization (admins). */
  organizationId: string | null;
  action: BulkAction;
  selection: BulkSelection;
  reason?: string;
  actor: { id: string; email: string | null };
  now: Date;
};

/**
 * Writes the job and its items in one transaction and audits it. Items follow the list's order. A job that applies
 * to no connection is finished at once.
 */
export async function createBulkJob(
  db: Db,
  job: NewBulkJob,
): Promise<{ id: string; matched: number; total: number; status: BulkJobStatus }> {
  const scope = and(
    job.organizationId ? eq(c.organizationId, job.organizationId) : undefined,
    job.selection.kind === "selected"
      ? inArray(c.id, job.selection.connectionIds)
      : whereForList(job.organizationId, job.selection.filters, job.now),
  )!;
  return db.transaction(async (tx) => {
    const [matched] = await tx.select({ n: count() }).from(c).where(scope);
    const [created] = await tx
      .insert(bulkJobs)
      .values({
        organizationId: job.organizationId,
        action: job.action,
        createdByUserId: job.actor.id,
        createdByLabel: job.actor.email ?? `user:${job.actor.id}`,
        reason: job.reason ?? null,
        selection: job.selection.kind,
        filterQuery: job.selection.kind === "filter" ? job.selection.query : null,
        matched: matched?.n ?? 0,
        total: 0,
        createdAt: job.now,
      })
      .returning({ id: bulkJobs.id });
    const id = created!.id;
    await tx.execute(sql`
      insert into ${bulkJobItems} (job_id, connection_id, organization_id)
      select ${id}::uuid, ${c.id}, ${c.organizationId} from ${c}
      where ${and(scope, appliesTo(job.action))}
      order by lower(${c.libraryName}), ${c.libraryId}, ${c.organizationId}`);
    const [items] = await tx.select({ n: count() }).from(bulkJobItems).where(eq(bulkJobItems.jobId, id));
    const total = items?.n ?? 0;
    const status: BulkJobStatus = total === 0 ? "done" : "running";
    await tx
      .update(bulkJobs)
      .set({ total, status, finishedAt: total === 0 ? job.now : null })
      .where(eq(bulkJobs.id, id));
    await recordAudit(tx, {
      actor: job.actor,
      event: "bulk_job_started",
      outcome: "success",
      organizationId: job.organizationId,
      detail: {
        jobId: id,
        action: job.action,
        matched: matched?.n ?? 0,
        items: total,
        selection: job.selection.kind === "filter" ? job.selection.query || "everything" : "selected",
        ...(job.reason ? { reason: job.reason } : {}),
      },
    });
    return { id, matched: matched?.n ?? 0, total, status };
  });
}

/**
 * Stops a running job: items nobody has started stay undone (cancelled); items under way finish, since their call
 * to Apicbase may already have been sent. False when the job is not running (any more).
 */
export async function cancelBulkJob(
  db: Db,
  args: { jobId: string; actor: AuditActor & { id: string; email: string | null }; now: Date },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [job] = await tx
      .update(bulkJobs)
      .set({ status: "cancelled", finishedAt: args.now, cancelledByLabel: args.actor.email ?? `user:${args.actor.id}` })
      .where(and(eq(bulkJobs.id, args.jobId), eq(bulkJobs.status, "running")))
      .returning({ id: bulkJobs.id, organizationId: bulkJobs.organizationId, action: bulkJobs.action });
    if (!job) return false;
    const leaseFree = or(isNull(bulkJobItems.leaseExpiresAt), lt(bulkJobItems.leaseExpiresAt, args.now));
    await tx
      .update(bulkJobItems)
      .set({ status: "cancelled", finishedAt: args.now, leaseOwner: null, leaseExpiresAt: null })
      .where(and(eq(bulkJobItems.jobId, job.id), eq(bulkJobItems.status, "pending"), leaseFree));
    await recordAudit(tx, {
      actor: args.actor,
      event: "bulk_job_cancelled",
      outcome: "success",
      organizationId: job.organizationId,
      detail: { jobId: job.id, action: job.action },
    });
    return true;
  });
}

export type BulkProgress = Record<BulkItemStatus, number>;

export type BulkJobView = {
  id: string;
  organizationId: string | null;
  organizationName: string | null;
  action: BulkAction;
  status: BulkJobStatus;
  createdBy: string;
  createdByUserId: string | null;
  reason: string | null;
  selection: "selected" | "filter";
  filterQuery: string | null;
  matched: number;
  total: number;
  progress: BulkProgress;
  createdAt: string;
  finishedAt: string | null;
  cancelledBy: string | null;
};

const emptyProgress = (): BulkProgress => ({ pending: 0, done: 0, failed: 0, skipped: 0, cancelled: 0 });

const jobColumns = {
  id: bulkJobs.id,
  organizationId: bulkJobs.organizationId,
  organizationName: organizations.name,
  action: bulkJobs.action,
  status: bulkJobs.status,
  createdBy: bulkJobs.createdByLabel,
  createdByUserId: bulkJobs.createdByUserId,
  reason: bulkJobs.reason,
  selection: bulkJobs.selection,
  filterQuery: bulkJobs.filterQuery,
  matched: bulkJobs.matched,
  total: bulkJobs.total,
  createdAt: bulkJobs.createdAt,
  finishedAt: bulkJobs.finishedAt,
  cancelledBy: bulkJobs.cancelledByLabel,
};

type JobRow = { [K in keyof typeof jobColumns]: unknown } & {
  id: string;
  createdAt: Date;
  finishedAt: Date | null;
};

async function progressOf(db: DbExecutor, jobIds: string[]): Promise<Map<string, BulkProgress>> {
  const byJob = new Map(jobIds.map((id) => [id, emptyProgress()]));
  if (jobIds.length === 0) return byJob;
  const rows = await db
    .select({ jobId: bulkJobItems.jobId, status: bulkJobItems.status, n: sql<number>`count(*)::int` })
    .from(bulkJobItems)
    .where(inArray(bulkJobItems.jobId, jobIds))
    .groupBy(bulkJobItems.jobId, bulkJobItems.status);
  for (const row of rows) byJob.get(row.jobId)![row.status] = row.n;
  return byJob;
}

function toView(row: JobRow, progress: BulkProgress): BulkJobView {
  return {
    ...(row as unknown as Omit<BulkJobView, "createdAt" | "finishedAt" | "progress">),
    progress,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}

/** One job with its progress, or null. */
export async function queryBulkJob(db: DbExecutor, jobId: string): Promise<BulkJobView | null> {
  const [row] = await db
    .select(jobColumns)
    .from(bulkJobs)
    .leftJoin(organizations, eq(organizations.id, bulkJobs.organizationId))
    .where(eq(bulkJobs.id, jobId));
  if (!row) return null;
  return toView(row, (await progressOf(db, [row.id])).get(row.id)!);
}

/** The latest jobs of an organization (or the admins' jobs over every organization, for null), newest first. */
export async function queryRecentBulkJobs(
  db: DbExecutor,
  organizationId: string | null,
  limit = RECENT_JOBS,
): Promise<BulkJobView[]> {
  const rows = await db
    .select(jobColumns)
    .from(bulkJobs)
    .leftJoin(organizations, eq(organizations.id, bulkJobs.organizationId))
    .where(organizationId ? eq(bulkJobs.organizationId, organizationId) : isNull(bulkJobs.organizationId))
    .orderBy(desc(bulkJobs.createdAt), desc(bulkJobs.id))
    .limit(limit);
  const progress = await progressOf(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => toView(row, progress.get(row.id)!));
}

export type LinkState = "open" | "used" | "expired";

export type BulkItemView = {
  id: string;
  connectionId: string;
  organizationName: string;
  libraryId: number;
  libraryName: string;
  status: BulkItemStatus;
  result: string | null;
  message: string | null;
  finishedAt: string | null;
  /** Sealed; only lib/dal opens it, for the person who started the job, while the link is open. */
  linkCiphertext: string | null;
  link: { state: LinkState; expiresAt: string } | null;
};

function linkState(link: { expiresAt: Date; usedAt: Date | null }, now: Date): LinkState {
  if (link.usedAt) return "used";
  return link.expiresAt.getTime() > now.getTime() ? "open" : "expired";
}

/** One page of a job's items in the list's order, optionally only those of one status. */
export async function queryBulkJobItems(
  db: DbExecutor,
  jobId: string,
  page: number,
  now: Date,
  status: BulkItemStatus | null = null,
): Promise<{ items: BulkItemView[]; total: number; page: number; pageCount: number }> {
  const where = and(eq(bulkJobItems.jobId, jobId), status ? eq(bulkJobItems.status, status) : undefined);
  const {
    total,
    pageCount,
    page: current,
  } = await countPages(db, bulkJobItems, where, JOB_ITEMS_PAGE_SIZE, Math.max(1, page));
  const rows = await db
    .select({
      ...pick(bulkJobItems, "id", "connectionId", "status", "result", "message", "finishedAt", "linkCiphertext"),
      organizationName: organizations.name,
      ...pick(c, "libraryId", "libraryName"),
      // Null for an item without a link (left join): drizzle nulls an object whose columns all come back null.
      link: pick(authorizationLinks, "expiresAt", "usedAt"),
    })
    .from(bulkJobItems)
    .innerJoin(c, eq(c.id, bulkJobItems.connectionId))
    .innerJoin(organizations, eq(organizations.id, c.organizationId))
    .leftJoin(authorizationLinks, eq(authorizationLinks.id, bulkJobItems.linkId))
    .where(where)
    .orderBy(asc(bulkJobItems.seq))
    .limit(JOB_ITEMS_PAGE_SIZE)
    .offset((current - 1) * JOB_ITEMS_PAGE_SIZE);
  return {
    items: rows.map(({ link, ...row }) => ({
      ...row,
      finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
      link: link ? { state: linkState(link, now), expiresAt: link.expiresAt.toISOString() } : null,
    })),
    total,
    page: current,
    pageCount,
  };
}

/** Every link of a job that still works, in the list's order (the owners' list, as CSV). */
export async function queryOpenBulkJobLinks(db: DbExecutor, jobId: string, now: Date) {
  return db
    .select({
      ...pick(bulkJobItems, "id", "connectionId", "linkCiphertext"),
      organizationName: organizations.name,
      ...pick(c, "libraryId", "libraryName", "approvedByEmail", "approvedByName"),
      expiresAt: authorizationLinks.expiresAt,
    })
    .from(bulkJobItems)
    .innerJoin(c, eq(c.id, bulkJobItems.connectionId))
    .innerJoin(organizations, eq(organizations.id, c.organizationId))
    .innerJoin(authorizationLinks, eq(authorizationLinks.id, bulkJobItems.linkId))
    .where(
      and(
        eq(bulkJobItems.jobId, jobId),
        isNull(authorizationLinks.usedAt),
        gt(authorizationLinks.expiresAt, now),
        sql`${bulkJobItems.linkCiphertext} is not null`,
      ),
    )
    .orderBy(asc(bulkJobItems.seq));
}

/**
 * The sealed secrets of those links (ids) that bulk jobs started by `userId` made: the links the organization's list
 * may show that person again (lib/dal/links.ts), as the job's page does. Nobody else gets them.
 */
export async function queryBulkLinkSecrets(
  db: DbExecutor,
  linkIds: readonly string[],
  userId: string,
): Promise<{ linkId: string; itemId: string; ciphertext: string }[]> {
  if (linkIds.length === 0) return [];
  const rows = await db
    .select({ linkId: bulkJobItems.linkId, itemId: bulkJobItems.id, ciphertext: bulkJobItems.linkCiphertext })
    .from(bulkJobItems)
    .innerJoin(bulkJobs, eq(bulkJobs.id, bulkJobItems.jobId))
    .where(
      and(
        inArray(bulkJobItems.linkId, [...linkIds]),
        eq(bulkJobs.createdByUserId, userId),
        isNotNull(bulkJobItems.linkCiphertext),
      ),
    );
  return rows.flatMap((row) =>
    row.linkId && row.ciphertext ? [{ linkId: row.linkId, itemId: row.itemId, ciphertext: row.ciphertext }] : [],
  );
}
