import { and, desc, eq, gte, ilike, lt, sql, type SQL } from "drizzle-orm";
import { auditEvents, connections, organizations, type AuditOutcome } from "@/lib/db/schema";
import type { DbExecutor } from "@/lib/db/client";
import { eventLabel, summarizeDetail } from "./describe";
import { AUDIT_PAGE_SIZE, type AuditFilters } from "./filters";
import { countPages } from "@/lib/db/pages";

/** One audit entry as pages show it: names resolved, the event and its detail in words, never the raw detail. */
export type AuditEntryView = {
  id: number;
  occurredAt: string;
  actor: { label: string; userId: string | null };
  /** Null for events outside any organization (admin actions, sign-in failures). */
  organization: { id: string; name: string | null } | null;
  connection: { id: string; libraryId: number | null; libraryName: string | null } | null;
  event: string;
  eventLabel: string;
  outcome: AuditOutcome;
  apicbaseError: string | null;
  summary: string;
};

export type AuditPage = { entries: AuditEntryView[]; total: number; page: number; pageCount: number; pageSize: number };

/** `%`, `_` and `\` typed by the user match themselves, not any character. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function auditConditions(filters: Omit<AuditFilters, "page">): SQL | undefined {
  return and(
    filters.connectionId ? eq(auditEvents.connectionId, filters.connectionId) : undefined,
    filters.actor ? ilike(auditEvents.actorLabel, `%${escapeLike(filters.actor)}%`) : undefined,
    filters.event ? eq(auditEvents.event, filters.event) : undefined,
    filters.outcome ? eq(auditEvents.outcome, filters.outcome) : undefined,
    filters.from ? gte(auditEvents.occurredAt, filters.from) : undefined,
    filters.before ? lt(auditEvents.occurredAt, filters.before) : undefined,
  );
}

const entryColumns = {
  id: auditEvents.id,
  occurredAt: auditEvents.occurredAt,
  actorLabel: auditEvents.actorLabel,
  actorUserId: auditEvents.actorUserId,
  organizationId: auditEvents.organizationId,
  organizationName: organizations.name,
  connectionId: auditEvents.connectionId,
  libraryId: connections.libraryId,
  libraryName: connections.libraryName,
  event: auditEvents.event,
  outcome: auditEvents.outcome,
  apicbaseError: auditEvents.apicbaseError,
  detail: auditEvents.detail,
};

type EntryRow = {
  id: number;
  occurredAt: Date;
  actorLabel: string;
  actorUserId: string | null;
  organizationId: string | null;
  organizationName: string | null;
  connectionId: string | null;
  libraryId: number | null;
  libraryName: string | null;
  event: string;
  outcome: AuditOutcome;
  apicbaseError: string | null;
  detail: Record<string, unknown> | null;
};

export function toEntryView(row: EntryRow): AuditEntryView {
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    actor: { label: row.actorLabel, userId: row.actorUserId },
    organization: row.organizationId ? { id: row.organizationId, name: row.organizationName } : null,
    connection: row.connectionId
      ? { id: row.connectionId, libraryId: row.libraryId, libraryName: row.libraryName }
      : null,
    event: row.event,
    eventLabel: eventLabel(row.event),
    outcome: row.outcome,
    apicbaseError: row.apicbaseError,
    summary: summarizeDetail(row.event, row.detail, row),
  };
}

function selectEntries(db: DbExecutor) {
  return db
    .select(entryColumns)
    .from(auditEvents)
    .leftJoin(organizations, eq(organizations.id, auditEvents.organizationId))
    .leftJoin(connections, eq(connections.id, auditEvents.connectionId));
}

async function pageOf(
  db: DbExecutor,
  where: SQL | undefined,
  requestedPage: number,
  pageSize: number,
): Promise<AuditPage> {
  const { total, pageCount, page } = await countPages(db, auditEvents, where, pageSize, requestedPage);
  const rows =
    total === 0
      ? []
      : await selectEntries(db)
          .where(where)
          .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
          .limit(pageSize)
          .offset((page - 1) * pageSize);
  return { entries: rows.map(toEntryView), total, page, pageCount, pageSize };
}

/** One page of the whole log, newest first. */
export function queryAuditLog(db: DbExecutor, filters: AuditFilters, pageSize = AUDIT_PAGE_SIZE): Promise<AuditPage> {
  return pageOf(db, auditConditions(filters), filters.page, pageSize);
}

export type AuditExportRow = AuditEntryView & { detail: Record<string, unknown> | null };

/**
 * The whole filtered log, newest first, a batch at a time (keyset pagination, so the thousandth batch costs what
 * the first did). The cursor keeps the database's microsecond timestamp as text: a JS Date would lose them.
 */
export async function* auditExportBatches(
  db: DbExecutor,
  filters: Omit<AuditFilters, "page">,
  batchSize = 500,
): AsyncGenerator<AuditExportRow[]> {
  const where = auditConditions(filters);
  let cursor: { at: string; id: number } | null = null;
  for (;;) {
    const after: SQL | undefined = cursor
      ? sql`(${auditEvents.occurredAt}, ${auditEvents.id}) < (${cursor.at}::timestamptz, ${cursor.id})`
      : undefined;
    const rows = await db
      .select({ ...entryColumns, cursorAt: sql<string>`${auditEvents.occurredAt}::text` })
      .from(auditEvents)
      .leftJoin(organizations, eq(organizations.id, auditEvents.organizationId))
      .leftJoin(connections, eq(connections.id, auditEvents.connectionId))
      .where(and(where, after))
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(batchSize);
    const last = rows.at(-1);
    if (!last) return;
    yield rows.map((row) => ({ ...toEntryView(row), detail: row.detail }));
    if (rows.length < batchSize) return;
    cursor = { at: last.cursorAt, id: last.id };
  }
}
