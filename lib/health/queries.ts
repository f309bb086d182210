/**
 * Health over time, computed on the server from the audit log and the connections: per day of the last 30, the
 * refreshes that succeeded and failed and the connections that came to need re-authorization; and now, the
 * connections needing re-authorization and those whose access token expires within 48 h. One organization, or every
 * organization (admins). No access checks here: the data-access layer decides who may ask.
 */
import { and, count, eq, gte, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { DbExecutor } from "@/lib/db/client";
import { auditEvents, connections } from "@/lib/db/schema";

export const HEALTH_DAYS = 30;
export const EXPIRING_WITHIN_MS = 48 * 3600_000;
const DAY_MS = 24 * 3600_000;

export type HealthDay = { date: string; succeeded: number; failed: number; newlyNeedingReauthorization: number };
export type HealthOverview = {
  days: HealthDay[];
  needsReauthorization: number;
  expiringSoon: number;
  totals: { succeeded: number; failed: number };
};

const utcDay = (date: Date) => date.toISOString().slice(0, 10);

type DayCounts = { succeeded: number; failed: number; broke: number };

/**
 * Finished days' counts, per organization ("*": every organization), by day. A day's refresh and verification events
 * are all written by the time it is over (each is recorded as it happens, at the database's clock), so its counts
 * never change again: each process counts a finished day once, and a page afterwards reads only today's events
 * instead of 30 days of them (100,000 connections: 200,000 events, 0.4 s on PostgreSQL and 1.5 s on PGlite, on every
 * render of the dashboard). Days end for this purpose CLOSED_AFTER_MS after midnight, for events written late.
 */
const finishedDays = new Map<string, Map<string, DayCounts>>();
const CLOSED_AFTER_MS = 5 * 60_000;

export async function healthOverTime(
  db: DbExecutor,
  args: { organizationId: string | null; now: Date },
): Promise<HealthOverview> {
  const { now } = args;
  const first = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (HEALTH_DAYS - 1) * DAY_MS,
  );
  const dates = Array.from({ length: HEALTH_DAYS }, (_, index) => utcDay(new Date(first.getTime() + index * DAY_MS)));
  // Days before this one are finished.
  const openFrom = new Date(now.getTime() - CLOSED_AFTER_MS);
  const openDay = new Date(Date.UTC(openFrom.getUTCFullYear(), openFrom.getUTCMonth(), openFrom.getUTCDate()));
  const key = args.organizationId ?? "*";
  const cached = finishedDays.get(key) ?? new Map<string, DayCounts>();
  const finished = dates.filter((date) => date < utcDay(openDay));
  const from = finished.every((date) => cached.has(date)) ? openDay : first;
  const inOrganization = (
    column: typeof auditEvents.organizationId | typeof connections.organizationId,
  ): SQL | undefined => (args.organizationId ? eq(column, args.organizationId) : undefined);
  const day = sql<string>`to_char(date_trunc('day', ${auditEvents.occurredAt} at time zone 'UTC'), 'YYYY-MM-DD')`;
  const [perDay, current] = await Promise.all([
    db
      .select({
        day,
        succeeded: sql<number>`count(*) filter (where ${auditEvents.event} = 'connection_refreshed')::int`,
        failed: sql<number>`count(*) filter (where ${auditEvents.event} = 'connection_refresh_failed')::int`,
        broke: sql<number>`count(distinct ${auditEvents.connectionId}) filter (where
          (${auditEvents.event} = 'connection_refresh_failed' and ${auditEvents.detail}->>'outcome' = 'reauthorize')
          or (${auditEvents.event} = 'connection_verified' and ${auditEvents.apicbaseError} = 'inactive_token'))::int`,
      })
      .from(auditEvents)
      .where(
        and(
          inOrganization(auditEvents.organizationId),
          gte(auditEvents.occurredAt, from),
          inArray(auditEvents.event, ["connection_refreshed", "connection_refresh_failed", "connection_verified"]),
        ),
      )
      .groupBy(day),
    // Two counts, each a range of connections_organization_status_expiry_idx read from the index alone.
    Promise.all([
      db
        .select({ n: count() })
        .from(connections)
        .where(and(inOrganization(connections.organizationId), eq(connections.status, "needs_reauthorization"))),
      db
        .select({ n: count() })
        .from(connections)
        .where(
          and(
            inOrganization(connections.organizationId),
            eq(connections.status, "active"),
            lte(connections.accessTokenExpiresAt, new Date(now.getTime() + EXPIRING_WITHIN_MS)),
          ),
        ),
    ]),
  ]);
  const [[needsReauthorization], [expiringSoon]] = current;
  const counted = new Map(perDay.map((row) => [row.day, row]));
  if (from === first) {
    // Counted from the start of the window: keep the finished days (those without events too), drop older ones.
    const kept = new Map<string, DayCounts>();
    for (const date of finished) {
      const row = counted.get(date);
      kept.set(date, { succeeded: row?.succeeded ?? 0, failed: row?.failed ?? 0, broke: row?.broke ?? 0 });
    }
    finishedDays.set(key, kept);
  }
  const days: HealthDay[] = dates.map((date) => {
    const row = counted.get(date) ?? cached.get(date);
    return {
      date,
      succeeded: row?.succeeded ?? 0,
      failed: row?.failed ?? 0,
      newlyNeedingReauthorization: row?.broke ?? 0,
    };
  });
  return {
    days,
    needsReauthorization: needsReauthorization?.n ?? 0,
    expiringSoon: expiringSoon?.n ?? 0,
    totals: {
      succeeded: days.reduce((sum, d) => sum + d.succeeded, 0),
      failed: days.reduce((sum, d) => sum + d.failed, 0),
    },
  };
}

export type TimelineEvent = { at: string; event: string; outcome: "success" | "failure"; apicbaseError: string | null };

/** One connection's token events of the last 30 days, oldest first (the connection page's timeline). */
export async function connectionTimeline(
  db: DbExecutor,
  args: { organizationId: string; connectionId: string; now: Date },
): Promise<TimelineEvent[]> {
  const since = new Date(args.now.getTime() - HEALTH_DAYS * DAY_MS);
  const rows = await db
    .select({
      at: auditEvents.occurredAt,
      event: auditEvents.event,
      outcome: auditEvents.outcome,
      apicbaseError: auditEvents.apicbaseError,
    })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.connectionId, args.connectionId),
        eq(auditEvents.organizationId, args.organizationId),
        gte(auditEvents.occurredAt, since),
        lte(auditEvents.occurredAt, args.now),
      ),
    )
    .orderBy(auditEvents.occurredAt)
    .limit(500);
  return rows.map((row) => ({
    at: row.at.toISOString(),
    event: row.event,
    outcome: row.outcome,
    apicbaseError: row.apicbaseError,
  }));
}
