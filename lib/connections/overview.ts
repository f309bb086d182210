import { and, asc, count, desc, eq, gte, inArray, ne, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbExecutor } from "@/lib/db/client";
import { pick } from "@/lib/db/columns";
import { connections, organizations, users } from "@/lib/db/schema";
import { driftCondition } from "./queries";
import { DISPLAY_STATUSES, EXPIRING_SOON_MS, type DisplayStatus } from "./status";

/**
 * The admin area's overview: every organization's connections counted by what needs attention, and the connections
 * revoked lately. No access checks here: lib/dal/connection-queries.ts decides who may ask.
 */

const c = connections;
const revoker = alias(users, "revoker");

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
        ...pick(c, "id", "organizationId", "libraryId", "libraryName", "revokedAt", "revokedByUserId", "revokeReason"),
        organizationName: organizations.name,
        revokedByEmail: revoker.email,
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
        reason: row.revokeReason,
      })),
    },
    generatedAt: now.toISOString(),
  };
}
