import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbExecutor } from "@/lib/db/client";
import {
  apiKeys,
  applications,
  auditEvents,
  connectionSortKeys,
  connections,
  organizations,
  users,
} from "@/lib/db/schema";
import { CONNECTION_EVENTS, HANDOUT_EVENT } from "@/lib/messages/history";
import { EXPIRING_SOON_MS, type DisplayStatus } from "./status";
import {
  CONNECTIONS_PAGE_SIZE,
  DEFAULT_DIRECTION,
  FILTERED_COUNT_CAP,
  HISTORY_PAGE_SIZE,
  LIST_COUNT_CAP,
  isFiltered,
  type SortKey,
  type ConnectionDetailView,
  type ConnectionFilters,
  type ConnectionHistoryView,
  type ConnectionListView,
  type ConnectionView,
} from "./view";
import { pick } from "@/lib/db/columns";
import { countPages } from "@/lib/db/pages";

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
    case "expiring_soon": {
      // On the expiry sort's key (a missing expiry sorts as infinity, which is never within a day): the same rows,
      // as a range of the expiry indexes (connections_organization_sort_expiry_idx), not a filter over every row.
      const expiry = sql`${connectionSortKeys(c).expiry[0]}`;
      return and(shownByExpiry(), sql`${expiry} > ${now}`, sql`${expiry} <= ${soon}`)!;
    }
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

/**
 * A null organization: every organization's connections (the admin area), which the admin may narrow to one
 * organization with `filters.organization`.
 */
export function whereForList(
  organizationId: string | null,
  filters: Pick<ConnectionFilters, "q" | "status" | "drift" | "application" | "organization">,
  now: Date,
): SQL {
  const organization = organizationId ?? filters.organization ?? null;
  return (
    and(
      organization ? eq(c.organizationId, organization) : undefined,
      searchCondition(filters.q),
      filters.status ? statusCondition(filters.status, now) : undefined,
      filters.drift ? driftCondition() : undefined,
      filters.application ? eq(c.applicationId, filters.application) : undefined,
    ) ?? sql`true`
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Sorting and keyset pages. A page is found by the sort key of the row before (or after) it, never by an offset:
// page 4,000 costs what page 1 costs, under any sort, because each sort has an index (lib/db/schema.ts,
// connectionSortKeys) that the keyset condition and the order walk.

type KeyType = "text" | "integer" | "timestamptz" | "uuid";
const SORT_KEY_TYPES: Record<SortKey, KeyType[]> = {
  library: ["text", "integer", "uuid"],
  status: ["integer", "timestamptz", "uuid"],
  expiry: ["timestamptz", "uuid"],
  refreshed: ["timestamptz", "uuid"],
  approved: ["text", "uuid"],
};
const KEY_VALUE: Record<KeyType, RegExp> = {
  text: /^[\s\S]{0,400}$/,
  integer: /^-?\d{1,10}$/,
  // PostgreSQL's text form of a timestamptz in the UTC session the portal opens (lib/db/client.ts).
  timestamptz: /^(-?infinity|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00)$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
};

/** Where a cursor points: after or before a row's key (with the position of the page it opens), or the last page. */
export type PageCursor = { kind: "after" | "before"; key: string[]; position: number | null } | { kind: "last" };

export function encodeCursor(cursor: PageCursor): string {
  if (cursor.kind === "last") return "last";
  const payload = JSON.stringify([cursor.kind === "after" ? "a" : "b", cursor.key, cursor.position]);
  return Buffer.from(payload, "utf8").toString("base64url");
}

/** The cursor for this sort, or null for anything else (hand-edited, or made for another sort): the first page. */
export function decodeCursor(value: string | null | undefined, sort: SortKey): PageCursor | null {
  if (!value) return null;
  if (value === "last") return { kind: "last" };
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed.length !== 3) return null;
    const [kind, key, position] = parsed as unknown[];
    const types = SORT_KEY_TYPES[sort];
    if (kind !== "a" && kind !== "b") return null;
    if (!Array.isArray(key) || key.length !== types.length) return null;
    if (!key.every((part, i) => typeof part === "string" && KEY_VALUE[types[i]!].test(part))) return null;
    if (position !== null && !(Number.isInteger(position) && (position as number) >= 1)) return null;
    return { kind: kind === "a" ? "after" : "before", key: key as string[], position: position as number | null };
  } catch {
    return null;
  }
}

const sortParts = (sort: SortKey): SQL[] => [...connectionSortKeys(c)[sort].map((part) => sql`${part}`), sql`${c.id}`];

/** The row's sort key as text, exactly (timestamps keep their microseconds). */
const keyText = (sort: SortKey) =>
  sql<string[]>`array[${sql.join(
    sortParts(sort).map((part) => sql`(${part})::text`),
    sql`, `,
  )}]`;

/** Rows after (`>` ascending, `<` descending) or before the key, as one row comparison the index serves. */
function keysetCondition(sort: SortKey, key: string[], ascending: boolean): SQL {
  const types = SORT_KEY_TYPES[sort];
  const values = key.map((value, i) => sql`${value}::${sql.raw(types[i]!)}`);
  return sql`(${sql.join(sortParts(sort), sql`, `)}) ${sql.raw(ascending ? ">" : "<")} (${sql.join(values, sql`, `)})`;
}

const orderBy = (sort: SortKey, ascending: boolean) =>
  sortParts(sort).map((part) => (ascending ? asc(part) : desc(part)));

/**
 * How many rows match, counted up to `cap` + 1 rows and no further: `capped` when there are more than `cap` (then
 * `n` is `cap`). Reads at most cap + 1 index entries, however many match.
 */
export async function countUpTo(
  db: DbExecutor,
  condition: SQL,
  cap: number,
  options: { search?: boolean } = {},
): Promise<{ n: number; capped: boolean }> {
  const counting = async (executor: DbExecutor) => {
    const upTo = executor
      .select({ one: sql`1` })
      .from(c)
      .where(condition)
      .limit(cap + 1)
      .as("up_to");
    return (await executor.select({ n: count() }).from(upTo))[0]?.n ?? 0;
  };
  const counted = options.search
    ? // A search's matches come from the trigram index. Left to itself the planner may walk the organization's whole
      // name index instead, testing every name: a term matching fewer rows than the cap read all 100,000 entries
      // (PGlite, 100,000 connections, "haven 7": 73 ms; through the trigram index, 7 ms). Within this transaction
      // only bitmap scans are planned, which combine the trigram index with the organization's.
      await db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_indexscan = off`);
        await tx.execute(sql`set local enable_indexonlyscan = off`);
        return counting(tx);
      })
    : await counting(db);
  return counted > cap ? { n: cap, capped: true } : { n: counted, capped: false };
}

/**
 * One page of connections in the chosen order, with the total the page's heading needs, counted up to
 * LIST_COUNT_CAP (FILTERED_COUNT_CAP for a filtered list): never an exact count of a large list.
 */
export async function queryConnectionList(
  db: DbExecutor,
  organizationId: string | null,
  filters: ConnectionFilters,
  now: Date,
): Promise<ConnectionListView> {
  const sort: SortKey = filters.sort ?? "library";
  const ascending = (filters.dir ?? DEFAULT_DIRECTION[sort]) === "asc";
  const where = whereForList(organizationId, filters, now);
  const filtered = isFiltered(filters);
  const size = CONNECTIONS_PAGE_SIZE;

  /** Up to size + 1 rows from the key on (in the page's order, or reversed to walk backwards). */
  const fetch = async (cursor: PageCursor | null, backwards: boolean) => {
    const walkAscending = backwards ? !ascending : ascending;
    const condition =
      cursor && cursor.kind !== "last" ? and(where, keysetCondition(sort, cursor.key, walkAscending)) : where;
    // The page's ids first, walking the narrow sort index; then those rows in full.
    const ids = db
      .select({ id: c.id })
      .from(c)
      .where(condition)
      .orderBy(...orderBy(sort, walkAscending))
      .limit(size + 1);
    const rows = await db
      .select({ ...safeColumns, sortKey: keyText(sort) })
      .from(c)
      .innerJoin(organizations, eq(organizations.id, c.organizationId))
      .innerJoin(applications, eq(applications.id, c.applicationId))
      .where(inArray(c.id, ids))
      .orderBy(...orderBy(sort, walkAscending));
    const more = rows.length > size;
    const page = rows.slice(0, size);
    return { rows: backwards ? page.reverse() : page, more };
  };

  const totalPromise = countUpTo(db, where, filtered ? FILTERED_COUNT_CAP : LIST_COUNT_CAP, {
    search: Boolean(filters.q),
  });
  let cursor = decodeCursor(filters.cursor, sort);
  let result = await fetch(cursor, cursor?.kind === "before" || cursor?.kind === "last");
  let isFirst: boolean;
  let isLast: boolean;
  if (cursor?.kind === "after" && result.rows.length === 0) {
    // Past the end (rows went away since the link was made): the last page.
    cursor = { kind: "last" };
    result = await fetch(cursor, true);
  }
  if (cursor?.kind === "before" && !result.more) {
    // Reached the start: the first page, filled up.
    cursor = null;
    result = await fetch(null, false);
  }
  const { n: total, capped: totalCapped } = await totalPromise;
  let position: number | null;
  if (!cursor) {
    [isFirst, isLast, position] = [true, !result.more, 1];
  } else if (cursor.kind === "last") {
    [isFirst, isLast] = [!result.more, true];
    position = isFirst ? 1 : totalCapped ? null : Math.max(1, total - result.rows.length + 1);
  } else if (cursor.kind === "after") {
    [isFirst, isLast, position] = [false, !result.more, cursor.position];
  } else {
    [isFirst, isLast] = [false, false];
    position = cursor.position;
  }
  const rows = result.rows;
  const firstRow = rows[0];
  const lastRow = rows[rows.length - 1];
  const previousCursor =
    isFirst || !firstRow
      ? null
      : encodeCursor({
          kind: "before",
          key: firstRow.sortKey,
          position: position === null ? null : Math.max(1, position - size),
        });
  const nextCursor =
    isLast || !lastRow
      ? null
      : encodeCursor({
          kind: "after",
          key: lastRow.sortKey,
          position: position === null ? null : position + rows.length,
        });

  // "None match" needs the organization's own total, to tell it from "none connected yet".
  const organizationCount = !filtered
    ? { n: total, capped: totalCapped }
    : total > 0
      ? null
      : await countUpTo(db, organizationId ? eq(c.organizationId, organizationId) : sql`true`, LIST_COUNT_CAP);
  return {
    organizationId,
    filters: { ...filters, sort, dir: ascending ? "asc" : "desc", cursor: cursor ? (filters.cursor ?? null) : null },
    connections: rows.map(toView),
    total,
    totalCapped,
    organizationTotal: organizationCount?.n ?? null,
    organizationTotalCapped: organizationCount?.capped ?? false,
    firstPosition: rows.length === 0 ? null : position,
    previousCursor,
    nextCursor,
    isFirst,
    isLast,
    pageSize: size,
    generatedAt: now.toISOString(),
  };
}

/**
 * A cursor to the page that starts at `position` (1-based), found by an offset: for benchmarks and tests, which
 * want a deep page without walking to it. The pages themselves never use an offset.
 */
export async function cursorAtPosition(
  db: DbExecutor,
  organizationId: string | null,
  filters: ConnectionFilters,
  position: number,
  now: Date,
): Promise<string | null> {
  if (position <= 1) return null;
  const sort: SortKey = filters.sort ?? "library";
  const ascending = (filters.dir ?? DEFAULT_DIRECTION[sort]) === "asc";
  const [row] = await db
    .select({ key: keyText(sort) })
    .from(c)
    .where(whereForList(organizationId, filters, now))
    .orderBy(...orderBy(sort, ascending))
    .limit(1)
    .offset(position - 2);
  return row ? encodeCursor({ kind: "after", key: row.key, position }) : null;
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
      ...pick(c, "revokedAt", "revokedByUserId", "revokeReason"),
      createdByEmail: creator.email,
      revokedByEmail: revoker.email,
      revokedByName: revoker.name,
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
  const { total, pageCount, page } = await countPages(db, auditEvents, where, HISTORY_PAGE_SIZE, requestedPage);
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
