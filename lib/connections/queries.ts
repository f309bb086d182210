import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lte,
  ne,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbExecutor } from "@/lib/db/client";
import { apiKeys, applications, auditEvents, connections, organizations, users } from "@/lib/db/schema";
import { CONNECTION_EVENTS, HANDOUT_EVENT } from "@/lib/messages/history";
import { DISPLAY_STATUSES, EXPIRING_SOON_MS, type DisplayStatus } from "./status";
import {
  CONNECTIONS_PAGE_SIZE,
  HISTORY_PAGE_SIZE,
  type ConnectionDetailView,
  type ConnectionFilters,
  type ConnectionHistoryView,
  type ConnectionListView,
  type ConnectionView,
} from "./view";

/**
 * The dashboard's reads, scoped to one organization in every statement. No access checks here: the data-access
 * layer (lib/dal/connection-queries.ts) decides who may ask; this module only builds the SQL, so that the
 * benchmark and the tests run the very queries the pages run.
 *
 * Only safe columns are selected: never a token ciphertext, lease or token version.
 */

const c = connections;

/**
 * The background engine's retries are failing (deriveConnectionState's "refresh_failing"). A refresh a person or the
 * token API asked for that failed once leaves the connection shown by its token's expiry.
 */
const engineFailing = () => and(eq(c.status, "refresh_failing"), gt(c.backgroundRefreshFailures, 0))!;
/** Shown by the access token's expiry: active, or failing only by refreshes someone asked for. */
const shownByExpiry = () =>
  or(eq(c.status, "active"), and(eq(c.status, "refresh_failing"), eq(c.backgroundRefreshFailures, 0)))!;

/** The derived display states (lib/connections/status.ts) as conditions on the stored facts. */
export function statusCondition(status: DisplayStatus, now: Date): SQL {
  const soon = new Date(now.getTime() + EXPIRING_SOON_MS);
  switch (status) {
    case "active":
      return and(shownByExpiry(), gt(c.accessTokenExpiresAt, soon))!;
    case "expiring_soon":
      return and(shownByExpiry(), gt(c.accessTokenExpiresAt, now), lte(c.accessTokenExpiresAt, soon))!;
    case "expired_refreshable":
      return and(shownByExpiry(), or(isNull(c.accessTokenExpiresAt), lte(c.accessTokenExpiresAt, now)))!;
    case "refresh_failing":
      return engineFailing();
    default:
      return eq(c.status, status);
  }
}

/** LIKE's wildcards and escape character taken literally. */
function likeContains(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** A library name containing the text (case-insensitive), or, for a number, that library id. */
export function searchCondition(q: string): SQL | undefined {
  if (!q) return undefined;
  const byName = sql`lower(${c.libraryName}) like ${likeContains(q)}`;
  const id = /^\d{1,9}$/.test(q) ? Number(q) : null;
  return id === null ? byName : or(eq(c.libraryId, id), byName);
}

const safeColumns = {
  id: c.id,
  organizationId: c.organizationId,
  organizationName: organizations.name,
  libraryId: c.libraryId,
  libraryName: c.libraryName,
  approvedByEmail: c.approvedByEmail,
  approvedByName: c.approvedByName,
  applicationId: c.applicationId,
  applicationName: applications.name,
  applicationClientId: applications.clientId,
  applicationRedirectMode: applications.redirectMode,
  status: c.status,
  scopes: c.scopes,
  accessTokenExpiresAt: c.accessTokenExpiresAt,
  lastRefreshedAt: c.lastRefreshedAt,
  nextRefreshAt: c.nextRefreshAt,
  refreshPausedUntil: applications.refreshPausedUntil,
  lastRefreshError: c.lastRefreshError,
  lastRefreshFailedAt: c.lastRefreshFailedAt,
  refreshFailureCount: c.refreshFailureCount,
  backgroundRefreshFailures: c.backgroundRefreshFailures,
  lastVerifiedAt: c.lastVerifiedAt,
  // The token version itself stays on the server; only whether the verification examined the current one leaves.
  verificationCurrent: sql<boolean>`coalesce(${c.lastVerifiedTokenVersion} = ${c.tokenVersion}, false)`.mapWith(
    Boolean,
  ),
  lastVerification: c.lastVerification,
  observedLibraryId: c.observedLibraryId,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
};

type Column<T> =
  T extends SQL<infer Data>
    ? Data
    : T extends { _: { notNull: infer NotNull; data: infer Data } }
      ? NotNull extends true
        ? Data
        : Data | null
      : never;
type SafeRow = { [K in keyof typeof safeColumns]: Column<(typeof safeColumns)[K]> };

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function toView(row: SafeRow): ConnectionView {
  const verification = row.lastVerification;
  const reached = verification?.library ?? null;
  return {
    id: row.id,
    organizationId: row.organizationId,
    organizationName: row.organizationName,
    libraryId: row.libraryId,
    libraryName: row.libraryName,
    approvedBy:
      row.approvedByEmail || row.approvedByName ? { email: row.approvedByEmail, name: row.approvedByName } : null,
    application: {
      id: row.applicationId,
      name: row.applicationName,
      clientId: row.applicationClientId,
      redirectMode: row.applicationRedirectMode,
    },
    status: row.status,
    scopes: row.scopes,
    accessTokenExpiresAt: iso(row.accessTokenExpiresAt),
    lastRefreshedAt: iso(row.lastRefreshedAt),
    nextRefreshAt: iso(row.nextRefreshAt),
    refreshPausedUntil: iso(row.refreshPausedUntil),
    lastRefreshError: row.lastRefreshError,
    lastRefreshFailedAt: iso(row.lastRefreshFailedAt),
    refreshFailureCount: row.refreshFailureCount,
    backgroundRefreshFailures: row.backgroundRefreshFailures,
    lastVerifiedAt: iso(row.lastVerifiedAt),
    verificationCurrent: Boolean(row.verificationCurrent),
    lastVerification: verification
      ? {
          active: verification.active,
          scopes: verification.scope ? verification.scope.split(" ").filter(Boolean) : null,
          expiresAt: verification.exp ? new Date(verification.exp * 1000).toISOString() : null,
          library: reached,
        }
      : null,
    drift:
      row.observedLibraryId !== null && row.observedLibraryId !== row.libraryId
        ? { libraryId: row.observedLibraryId, libraryName: reached?.id === row.observedLibraryId ? reached.name : null }
        : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The token now reaches another library than the connected one. */
export const driftCondition = (): SQL => and(isNotNull(c.observedLibraryId), ne(c.observedLibraryId, c.libraryId))!;

/** A null organization: every organization's connections (the admin area). */
export function whereForList(
  organizationId: string | null,
  filters: Pick<ConnectionFilters, "q" | "status" | "drift">,
  now: Date,
): SQL {
  return (
    and(
      organizationId ? eq(c.organizationId, organizationId) : undefined,
      searchCondition(filters.q),
      filters.status ? statusCondition(filters.status, now) : undefined,
      filters.drift ? driftCondition() : undefined,
    ) ?? sql`true`
  );
}

const listOrder = () => [sql`lower(${c.libraryName})`, c.libraryId];

/**
 * One page of an organization's connections, in a stable order (library name case-insensitively, then id), with
 * the totals the pagination needs. A page past the end answers the last page.
 *
 * Fast at 10,000 connections per organization: without filters the page comes from the index on
 * (organization_id, lower(library_name), library_id) and the count is a separate scan; with a filter (which scans
 * the organization's rows anyway) one statement returns the page and `count(*) over ()`.
 */
export async function queryConnectionList(
  db: DbExecutor,
  organizationId: string | null,
  filters: ConnectionFilters,
  now: Date,
): Promise<ConnectionListView> {
  const where = whereForList(organizationId, filters, now);
  const filtered = Boolean(filters.q || filters.status || filters.drift);
  const page = (target: number) =>
    db
      .select({ ...safeColumns, total: sql<number>`(count(*) over ())::int` })
      .from(c)
      .innerJoin(organizations, eq(organizations.id, c.organizationId))
      .innerJoin(applications, eq(applications.id, c.applicationId))
      .where(where)
      .orderBy(...listOrder())
      .limit(CONNECTIONS_PAGE_SIZE)
      .offset((target - 1) * CONNECTIONS_PAGE_SIZE);
  const countWhere = async (condition: SQL) => (await db.select({ n: count() }).from(c).where(condition))[0]?.n ?? 0;

  let total: number;
  let rows: SafeRow[];
  let current = filters.page;
  if (filtered) {
    let found = await page(current);
    if (found.length === 0 && current > 1) {
      // Past the end: the last page, if there is any.
      current = Math.max(1, Math.ceil((await countWhere(where)) / CONNECTIONS_PAGE_SIZE));
      found = await page(current);
    }
    total = found[0]?.total ?? 0;
    rows = found;
  } else {
    total = await countWhere(where);
    current = Math.min(current, Math.max(1, Math.ceil(total / CONNECTIONS_PAGE_SIZE)));
    // The page's ids first (walking the narrow index), then the 25 rows in full: deep pages stay cheap.
    const pageIds = db
      .select({ id: c.id })
      .from(c)
      .where(where)
      .orderBy(...listOrder())
      .limit(CONNECTIONS_PAGE_SIZE)
      .offset((current - 1) * CONNECTIONS_PAGE_SIZE);
    rows =
      total === 0
        ? []
        : await db
            .select(safeColumns)
            .from(c)
            .innerJoin(organizations, eq(organizations.id, c.organizationId))
            .innerJoin(applications, eq(applications.id, c.applicationId))
            .where(and(organizationId ? eq(c.organizationId, organizationId) : undefined, inArray(c.id, pageIds)))
            .orderBy(...listOrder());
  }
  // "None match" needs the organization's own total, to tell it from "none connected yet".
  const organizationTotal = !filtered
    ? total
    : total > 0
      ? null
      : await countWhere(organizationId ? eq(c.organizationId, organizationId) : sql`true`);
  return {
    organizationId,
    filters: { ...filters, page: current },
    connections: rows.map(toView),
    total,
    organizationTotal,
    page: current,
    pageCount: Math.max(1, Math.ceil(total / CONNECTIONS_PAGE_SIZE)),
    pageSize: CONNECTIONS_PAGE_SIZE,
    generatedAt: now.toISOString(),
  };
}

const revoker = alias(users, "revoker");
const creator = alias(users, "creator");

/** One connection of one organization, with who created and who revoked it; null when it is not that organization's. */
export async function queryConnectionDetail(
  db: DbExecutor,
  organizationId: string,
  connectionId: string,
): Promise<ConnectionDetailView | null> {
  const [row] = await db
    .select({
      ...safeColumns,
      createdByEmail: creator.email,
      revokedAt: c.revokedAt,
      revokedByEmail: revoker.email,
      revokedByName: revoker.name,
      revokedByUserId: c.revokedByUserId,
      revokeReason: c.revokeReason,
    })
    .from(c)
    .innerJoin(organizations, eq(organizations.id, c.organizationId))
    .innerJoin(applications, eq(applications.id, c.applicationId))
    .leftJoin(creator, eq(creator.id, c.createdByUserId))
    .leftJoin(revoker, eq(revoker.id, c.revokedByUserId))
    .where(and(eq(c.id, connectionId), eq(c.organizationId, organizationId)));
  if (!row) return null;
  return {
    ...toView(row),
    createdBy: row.createdByEmail,
    revoked: row.revokedAt
      ? {
          at: row.revokedAt.toISOString(),
          by: row.revokedByEmail ?? row.revokedByName ?? (row.revokedByUserId ? "a former user" : null),
          reason: row.revokeReason,
        }
      : null,
  };
}

/** How many keys' hand-outs History counts; beyond that the keys that fetched least recently are left out. */
const HANDOUT_GROUPS = 10;

/**
 * A connection's audit events, newest first. Only those filed under its organization (a refused attempt by someone
 * of another organization is an admin's business, not this partner's) and only events about a connection. Token
 * hand-outs, one per backend call, would bury the state changes: they are counted per API key, and listed one by
 * one only with `showHandouts`.
 */
export async function queryConnectionHistory(
  db: DbExecutor,
  organizationId: string,
  connectionId: string,
  requestedPage: number,
  showHandouts = false,
): Promise<ConnectionHistoryView> {
  const about = and(
    eq(auditEvents.connectionId, connectionId),
    eq(auditEvents.organizationId, organizationId),
    isNotNull(auditEvents.organizationId),
  );
  const where = and(
    about,
    inArray(
      auditEvents.event,
      showHandouts ? [...CONNECTION_EVENTS] : CONNECTION_EVENTS.filter((event) => event !== HANDOUT_EVENT),
    ),
  );
  const apiKeyId = sql<string | null>`${auditEvents.detail} ->> 'apiKeyId'`;
  const handouts = await db
    .select({
      apiKeyId,
      actor: sql<string>`min(${auditEvents.actorLabel})`,
      keyName: sql<string | null>`min(${apiKeys.name})`,
      count: sql<number>`count(*)::int`,
      first: sql<Date>`min(${auditEvents.occurredAt})`.mapWith(auditEvents.occurredAt),
      last: sql<Date>`max(${auditEvents.occurredAt})`.mapWith(auditEvents.occurredAt),
    })
    .from(auditEvents)
    .leftJoin(apiKeys, sql`${apiKeys.id}::text = ${auditEvents.detail} ->> 'apiKeyId'`)
    .where(and(about, eq(auditEvents.event, HANDOUT_EVENT)))
    .groupBy(sql`1`)
    .orderBy(desc(sql`max(${auditEvents.occurredAt})`))
    .limit(HANDOUT_GROUPS);
  const [counted] = await db.select({ n: count() }).from(auditEvents).where(where);
  const total = counted?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  const page = Math.min(requestedPage, pageCount);
  const rows =
    total === 0
      ? []
      : await db
          .select({
            id: auditEvents.id,
            occurredAt: auditEvents.occurredAt,
            actor: auditEvents.actorLabel,
            event: auditEvents.event,
            outcome: auditEvents.outcome,
            apicbaseError: auditEvents.apicbaseError,
            detail: auditEvents.detail,
          })
          .from(auditEvents)
          .where(where)
          .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
          .limit(HISTORY_PAGE_SIZE)
          .offset((page - 1) * HISTORY_PAGE_SIZE);
  return {
    showHandouts,
    handouts: handouts.map((group) => ({
      keyName: group.keyName,
      actor: group.actor,
      count: group.count,
      first: group.first.toISOString(),
      last: group.last.toISOString(),
    })),
    events: rows.map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() })),
    total,
    page,
    pageCount,
    pageSize: HISTORY_PAGE_SIZE,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The admin area's overview: every organization's connections counted by what needs attention.

/** The display status as SQL, so connections can be counted by it in one statement. */
function displayStatusSql(now: Date): SQL<DisplayStatus> {
  const soon = new Date(now.getTime() + EXPIRING_SOON_MS);
  return sql<DisplayStatus>`case
    when ${c.status} = 'refresh_failing' and ${c.backgroundRefreshFailures} > 0 then 'refresh_failing'
    when ${c.status} not in ('active', 'refresh_failing') then ${c.status}
    when ${c.accessTokenExpiresAt} is null or ${c.accessTokenExpiresAt} <= ${now} then 'expired_refreshable'
    when ${c.accessTokenExpiresAt} <= ${soon} then 'expiring_soon'
    else 'active' end`;
}

export type StatusCounts = Record<DisplayStatus, number>;

const emptyCounts = (): StatusCounts =>
  Object.fromEntries(DISPLAY_STATUSES.map((status) => [status, 0])) as StatusCounts;

/** Each organization's connections counted per display status (organizations without any are absent). */
export async function queryStatusCountsByOrganization(db: DbExecutor, now: Date): Promise<Map<string, StatusCounts>> {
  const status = displayStatusSql(now);
  const rows = await db
    .select({ organizationId: c.organizationId, status, n: sql<number>`count(*)::int` })
    .from(c)
    // By position: the expression's parameters would not match a repeated one.
    .groupBy(sql`1`, sql`2`);
  const byOrganization = new Map<string, StatusCounts>();
  for (const row of rows) {
    const counts = byOrganization.get(row.organizationId) ?? emptyCounts();
    counts[row.status] += row.n;
    byOrganization.set(row.organizationId, counts);
  }
  return byOrganization;
}

export const RECENTLY_REVOKED_DAYS = 7;

export type RevokedConnectionView = {
  id: string;
  organizationId: string;
  organizationName: string;
  libraryId: number;
  libraryName: string;
  revokedAt: string;
  revokedBy: string | null;
  reason: string | null;
};

export type AttentionOverview = {
  total: number;
  counts: StatusCounts;
  drift: number;
  recentlyRevoked: { total: number; latest: RevokedConnectionView[] };
  generatedAt: string;
};

/** What needs an admin's attention across every organization, counted in a few statements. */
export async function queryAttentionOverview(db: DbExecutor, now: Date, latestLimit = 10): Promise<AttentionOverview> {
  const status = displayStatusSql(now);
  const since = new Date(now.getTime() - RECENTLY_REVOKED_DAYS * 24 * 3600 * 1000);
  const recent = and(inArray(c.status, ["revoking", "revoked"]), gte(c.revokedAt, since))!;
  const [byStatus, [drift], [revokedTotal], latest] = await Promise.all([
    db
      .select({ status, n: sql<number>`count(*)::int` })
      .from(c)
      .groupBy(sql`1`),
    db
      .select({ n: count() })
      .from(c)
      .where(and(driftCondition(), ne(c.status, "revoked"))),
    db.select({ n: count() }).from(c).where(recent),
    db
      .select({
        id: c.id,
        organizationId: c.organizationId,
        organizationName: organizations.name,
        libraryId: c.libraryId,
        libraryName: c.libraryName,
        revokedAt: c.revokedAt,
        revokedByEmail: revoker.email,
        revokedByUserId: c.revokedByUserId,
        reason: c.revokeReason,
      })
      .from(c)
      .innerJoin(organizations, eq(organizations.id, c.organizationId))
      .leftJoin(revoker, eq(revoker.id, c.revokedByUserId))
      .where(recent)
      .orderBy(desc(c.revokedAt), asc(c.id))
      .limit(latestLimit),
  ]);
  const counts = emptyCounts();
  for (const row of byStatus) counts[row.status] += row.n;
  return {
    total: Object.values(counts).reduce((sum, n) => sum + n, 0),
    counts,
    drift: drift?.n ?? 0,
    recentlyRevoked: {
      total: revokedTotal?.n ?? 0,
      latest: latest.map((row) => ({
        id: row.id,
        organizationId: row.organizationId,
        organizationName: row.organizationName,
        libraryId: row.libraryId,
        libraryName: row.libraryName,
        revokedAt: row.revokedAt!.toISOString(),
        revokedBy: row.revokedByEmail ?? (row.revokedByUserId ? "a former user" : null),
        reason: row.reason,
      })),
    },
    generatedAt: now.toISOString(),
  };
}
