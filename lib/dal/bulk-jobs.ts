import "server-only";
import type { StartBulkJobInput } from "@/lib/bulk-jobs/forms";
import {
  cancelBulkJob,
  createBulkJob,
  queryBulkJob,
  queryBulkJobItems,
  queryOpenBulkJobLinks,
  queryRecentBulkJobs,
  type BulkItemView,
  type BulkJobView,
  type BulkSelection,
} from "@/lib/bulk-jobs/jobs";
import { wakeBulkRunner } from "@/lib/bulk-jobs/wake";
import { revokeReason } from "@/lib/connections/revoke";
import { parseConnectionFilters } from "@/lib/connections/view";
import { bulkLinkAad } from "@/lib/crypto/associated-data";
import { decryptSecret } from "@/lib/crypto/secrets";
import { getKeyring } from "@/lib/connections/keyring";
import { BULK_ITEM_STATUSES, getDb, type BulkItemStatus } from "@/lib/db";
import { recordId } from "@/lib/forms";
import { canActFor, portalOrigin } from "./connections";
import { actorOf } from "./actor";
import type { PortalUser } from "./session";

/**
 * Bulk actions for the signed-in user: a member acts on their organization's connections, an admin on any
 * organization's, or on every organization's at once (a null organization). Every function checks again; a job
 * someone may not see answers the same null as one that does not exist.
 */

export type { BulkItemView, BulkJobView };

export type StartBulkJobResult =
  { ok: true; jobId: string; total: number; matched: number } | { ok: false; reason: "not_allowed" };

function mayUse(user: PortalUser, organizationId: string | null): boolean {
  return organizationId === null ? user.isAdmin : canActFor(user, organizationId);
}

/** Starts a job for the connections chosen (ids of this organization only) or matching the list's filters. */
export async function startBulkJob(user: PortalUser, input: StartBulkJobInput): Promise<StartBulkJobResult> {
  const organizationId = input.organizationId || null;
  if (!mayUse(user, organizationId)) return { ok: false, reason: "not_allowed" };
  const { db } = await getDb();
  const params = new URLSearchParams(input.filterQuery.replace(/^\?/, ""));
  params.delete("cursor");
  params.delete("organization");
  const selection: BulkSelection =
    input.scope === "selected"
      ? { kind: "selected", connectionIds: input.connectionIds }
      : { kind: "filter", filters: parseConnectionFilters(params), query: params.toString() };
  const job = await createBulkJob(db, {
    organizationId,
    action: input.action,
    selection,
    reason: input.action === "revoke" ? revokeReason.parse(input.reason ?? "") : undefined,
    actor: actorOf(user),
    now: new Date(),
  });
  if (job.total > 0) wakeBulkRunner();
  return { ok: true, jobId: job.id, total: job.total, matched: job.matched };
}

async function visibleJob(user: PortalUser, jobId: string): Promise<BulkJobView | null> {
  if (!recordId.safeParse(jobId).success) return null;
  const { db } = await getDb();
  const job = await queryBulkJob(db, jobId);
  return job && mayUse(user, job.organizationId) ? job : null;
}

/** A job with its progress, for polling. */
export async function bulkJobProgress(user: PortalUser, jobId: string): Promise<BulkJobView | null> {
  return visibleJob(user, jobId);
}

export type BulkItemRow = Omit<BulkItemView, "linkCiphertext"> & {
  /** The link itself: only for the person who started the job, and only while it works. */
  linkUrl: string | null;
};

export type BulkJobPage = {
  job: BulkJobView;
  /** Whether the viewer started the job (and so sees its links). */
  mine: boolean;
  items: BulkItemRow[];
  status: BulkItemStatus | null;
  total: number;
  page: number;
  pageCount: number;
};

/** The job's page: the job and one page of its connections, links opened for the person who started it. */
export async function bulkJobPage(
  user: PortalUser,
  jobId: string,
  page: number,
  status: string | null,
): Promise<BulkJobPage | null> {
  const job = await visibleJob(user, jobId);
  if (!job) return null;
  const { db } = await getDb();
  const only = BULK_ITEM_STATUSES.find((candidate) => candidate === status) ?? null;
  const now = new Date();
  const items = await queryBulkJobItems(db, job.id, page, now, only);
  const mine = job.createdByUserId === user.id;
  const origin = mine && items.items.some((item) => item.linkCiphertext) ? await portalOrigin() : "";
  const keyring = origin ? getKeyring() : null;
  return {
    job,
    mine,
    status: only,
    total: items.total,
    page: items.page,
    pageCount: items.pageCount,
    items: items.items.map(({ linkCiphertext, ...item }) => ({
      ...item,
      linkUrl:
        keyring && linkCiphertext && item.link?.state === "open"
          ? `${origin}/authorize/${decryptSecret(keyring, linkCiphertext, bulkLinkAad(item.id))}`
          : null,
    })),
  };
}

/** The latest jobs of the organization (null: the admins' jobs over every organization). */
export async function recentBulkJobs(user: PortalUser, organizationId: string | null): Promise<BulkJobView[] | null> {
  if (!mayUse(user, organizationId)) return null;
  const { db } = await getDb();
  return queryRecentBulkJobs(db, organizationId);
}

/** Cancels a running job the user may see; false when it is not running (any more) or not theirs to see. */
export async function cancelJob(user: PortalUser, jobId: string): Promise<"cancelled" | "not_running" | "not_found"> {
  const job = await visibleJob(user, jobId);
  if (!job) return "not_found";
  const { db } = await getDb();
  const cancelled = await cancelBulkJob(db, {
    jobId: job.id,
    actor: actorOf(user),
    now: new Date(),
  });
  return cancelled ? "cancelled" : "not_running";
}

export type OwnerLink = {
  organization: string;
  libraryId: number;
  libraryName: string;
  approvedBy: string | null;
  link: string;
  expiresAt: string;
};

/** The links of a job that still work, for the person who started it: the list to hand to the owners. */
export async function bulkJobOwnerLinks(user: PortalUser, jobId: string): Promise<OwnerLink[] | null> {
  const job = await visibleJob(user, jobId);
  if (!job || job.createdByUserId !== user.id) return null;
  const { db } = await getDb();
  const rows = await queryOpenBulkJobLinks(db, job.id, new Date());
  const origin = rows.length > 0 ? await portalOrigin() : "";
  const keyring = getKeyring();
  return rows.map((row) => ({
    organization: row.organizationName,
    libraryId: row.libraryId,
    libraryName: row.libraryName,
    approvedBy:
      row.approvedByName && row.approvedByEmail
        ? `${row.approvedByName} <${row.approvedByEmail}>`
        : (row.approvedByEmail ?? row.approvedByName),
    link: `${origin}/authorize/${decryptSecret(keyring, row.linkCiphertext!, bulkLinkAad(row.id))}`,
    expiresAt: row.expiresAt.toISOString(),
  }));
}
