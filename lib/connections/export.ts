import { and, eq, sql, type SQL } from "drizzle-orm";
import { csvLine } from "@/lib/audit-log/csv";
import type { DbExecutor } from "@/lib/db/client";
import { applications, connections, organizations } from "@/lib/db/schema";
import { STATUS_LABELS } from "@/lib/messages/status";
import { whereForList } from "./queries";
import { deriveConnectionState } from "./status";
import type { ConnectionFilters } from "./view";

/**
 * The dashboard's list as CSV, for a spreadsheet: every connection the list's filters match (not one page), in the
 * list's order, read in batches by keyset (each batch a short statement: 100,000 rows cost no more memory than
 * 5,000, and the database is never held by one long query). Only safe columns: never a token, lease or secret.
 */

export const EXPORT_BATCH = 5_000;

export const CONNECTIONS_CSV_COLUMNS = [
  "connection_id",
  "organization",
  "organization_id",
  "library_id",
  "library_name",
  "status",
  "status_code",
  "approved_by_name",
  "approved_by_email",
  "application",
  "scopes",
  "access_token_expires_at_utc",
  "last_refreshed_at_utc",
  "next_refresh_at_utc",
  "last_refresh_error",
  "last_verified_at_utc",
  "last_verification",
  "drift_library_id",
  "created_at_utc",
] as const;

const c = connections;

const exportColumns = {
  id: c.id,
  organizationId: c.organizationId,
  organizationName: organizations.name,
  libraryId: c.libraryId,
  libraryName: c.libraryName,
  sortName: sql<string>`lower(${c.libraryName})`,
  approvedByEmail: c.approvedByEmail,
  approvedByName: c.approvedByName,
  applicationName: applications.name,
  status: c.status,
  scopes: c.scopes,
  accessTokenExpiresAt: c.accessTokenExpiresAt,
  lastRefreshedAt: c.lastRefreshedAt,
  nextRefreshAt: c.nextRefreshAt,
  lastRefreshError: c.lastRefreshError,
  lastRefreshFailedAt: c.lastRefreshFailedAt,
  refreshFailureCount: c.refreshFailureCount,
  backgroundRefreshFailures: c.backgroundRefreshFailures,
  lastVerifiedAt: c.lastVerifiedAt,
  lastVerification: c.lastVerification,
  verificationCurrent: sql<boolean>`coalesce(${c.lastVerifiedTokenVersion} = ${c.tokenVersion}, false)`.mapWith(
    Boolean,
  ),
  observedLibraryId: c.observedLibraryId,
  createdAt: c.createdAt,
};

type ExportRow = Awaited<ReturnType<typeof batchQuery>>[number];
type Cursor = { sortName: string; libraryId: number; organizationId: string };

function batchQuery(db: DbExecutor, organizationId: string | null, where: SQL, after: Cursor | null) {
  // Within one organization (name, library id) is unique and the index on (organization, lower(name), library id)
  // serves both the order and the cursor; across organizations the organization breaks ties.
  const cursor = !after
    ? undefined
    : organizationId
      ? sql`(lower(${c.libraryName}), ${c.libraryId}) > (${after.sortName}, ${after.libraryId})`
      : sql`(lower(${c.libraryName}), ${c.libraryId}, ${c.organizationId})
          > (${after.sortName}, ${after.libraryId}, ${after.organizationId}::uuid)`;
  return db
    .select(exportColumns)
    .from(c)
    .innerJoin(organizations, eq(organizations.id, c.organizationId))
    .innerJoin(applications, eq(applications.id, c.applicationId))
    .where(and(where, cursor))
    .orderBy(sql`lower(${c.libraryName})`, c.libraryId, c.organizationId)
    .limit(EXPORT_BATCH);
}

const iso = (date: Date | null) => (date ? date.toISOString() : "");

function verificationText(row: ExportRow): string {
  const seen = row.lastVerification;
  if (!row.lastVerifiedAt || !seen) return "";
  const result = !seen.active
    ? "not active"
    : seen.library && seen.library.id !== row.libraryId
      ? `active, reaches library ${seen.library.id}`
      : "active";
  return row.verificationCurrent ? result : `${result} (about earlier tokens)`;
}

export function connectionCsvLine(row: ExportRow, now: Date): string {
  const state = deriveConnectionState(
    {
      status: row.status,
      libraryId: row.libraryId,
      accessTokenExpiresAt: row.accessTokenExpiresAt,
      lastRefreshedAt: row.lastRefreshedAt,
      lastRefreshError: row.lastRefreshError,
      lastRefreshFailedAt: row.lastRefreshFailedAt,
      refreshFailureCount: row.refreshFailureCount,
      backgroundRefreshFailures: row.backgroundRefreshFailures,
      nextRefreshAt: row.nextRefreshAt,
      lastVerifiedAt: row.lastVerifiedAt,
      lastVerification: row.lastVerification
        ? { active: row.lastVerification.active, library: row.lastVerification.library ?? null }
        : null,
      verificationCurrent: row.verificationCurrent,
      observedLibrary: row.observedLibraryId !== null ? { id: row.observedLibraryId, name: null } : null,
    },
    now,
  );
  const gone = row.status === "revoked" || row.status === "revoking";
  return csvLine([
    row.id,
    row.organizationName,
    row.organizationId,
    row.libraryId,
    row.libraryName,
    STATUS_LABELS[state.status],
    state.status,
    row.approvedByName,
    row.approvedByEmail,
    row.applicationName,
    row.scopes.join(" "),
    gone ? "" : iso(row.accessTokenExpiresAt),
    iso(row.lastRefreshedAt),
    gone ? "" : iso(row.nextRefreshAt),
    row.lastRefreshError,
    iso(row.lastVerifiedAt),
    verificationText(row),
    state.drift ? state.drift.libraryId : "",
    iso(row.createdAt),
  ]);
}

/**
 * The CSV's text in pieces (the header, then one piece per batch of rows), for a streamed response. The caller
 * decides who may ask for which organization; `now` fixes the derived statuses for the whole file.
 */
export async function* connectionsCsv(
  db: DbExecutor,
  organizationId: string | null,
  filters: ConnectionFilters,
  now: Date,
): AsyncGenerator<string> {
  yield csvLine(CONNECTIONS_CSV_COLUMNS);
  const where = whereForList(organizationId, filters, now);
  let after: Cursor | null = null;
  for (;;) {
    const rows = await batchQuery(db, organizationId, where, after);
    if (rows.length === 0) return;
    yield rows.map((row) => connectionCsvLine(row, now)).join("");
    if (rows.length < EXPORT_BATCH) return;
    const last = rows[rows.length - 1]!;
    after = { sortName: last.sortName, libraryId: last.libraryId, organizationId: last.organizationId };
  }
}

/** The file's name: connections-20261127-1403.csv (UTC). */
export function connectionsCsvFilename(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 13);
  return `connections-${stamp}.csv`;
}
