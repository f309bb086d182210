/**
 * Proxied calls per application under Apicbase's rate limit (100 requests a minute per client), shared by every
 * process through the database like the refresh budget: a token bucket per application, and the pause Apicbase asked
 * for with a 429's Retry-After. A bucket of `perMinute` with a burst of a third of it lets at most
 * `perMinute * 4 / 3` calls through in any minute; the default (60, so at most 80) leaves room for the refreshes.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { apicbaseApiLimits, apiProxyUsage } from "@/lib/db/schema";

export const burstOf = (perMinute: number) => Math.max(1, Math.ceil(perMinute / 3));

/** Takes one call from the application's bucket: null when it may go now, else the seconds until one may. */
export async function takeApicbaseCall(
  db: Db,
  applicationId: string,
  now: Date,
  perMinute: number,
): Promise<number | null> {
  const burst = burstOf(perMinute);
  return db.transaction(async (tx) => {
    await tx.insert(apicbaseApiLimits).values({ applicationId, tokens: burst, refilledAt: now }).onConflictDoNothing();
    const [row] = await tx
      .select()
      .from(apicbaseApiLimits)
      .where(eq(apicbaseApiLimits.applicationId, applicationId))
      .for("update");
    if (!row) throw new Error("apicbase_api_limits row missing");
    if (row.pausedUntil && row.pausedUntil > now) return Math.ceil((row.pausedUntil.getTime() - now.getTime()) / 1000);
    const elapsed = Math.max(0, now.getTime() - row.refilledAt.getTime());
    const available = Math.min(burst, row.tokens + (elapsed * perMinute) / 60_000);
    const refilledAt = now > row.refilledAt ? now : row.refilledAt;
    if (available < 1) {
      await tx
        .update(apicbaseApiLimits)
        .set({ tokens: available, refilledAt })
        .where(eq(apicbaseApiLimits.applicationId, applicationId));
      return Math.max(1, Math.ceil(((1 - available) * 60) / perMinute));
    }
    await tx
      .update(apicbaseApiLimits)
      .set({ tokens: available - 1, refilledAt })
      .where(eq(apicbaseApiLimits.applicationId, applicationId));
    return null;
  });
}

/** Apicbase answered 429 with Retry-After: no process calls its API for this application before then. */
export async function pauseApicbaseCalls(db: Db, applicationId: string, until: Date): Promise<void> {
  const at = until.toISOString();
  await db
    .insert(apicbaseApiLimits)
    .values({ applicationId, tokens: 1, refilledAt: until, pausedUntil: until })
    .onConflictDoUpdate({
      target: apicbaseApiLimits.applicationId,
      set: {
        pausedUntil: sql`greatest(coalesce(${apicbaseApiLimits.pausedUntil}, ${at}::timestamptz), ${at}::timestamptz)`,
        // After the pause one call may go at once; the ones held back follow at the rate, not all together.
        tokens: 1,
        refilledAt: sql`greatest(${apicbaseApiLimits.refilledAt}, ${at}::timestamptz)`,
      },
    });
}

/** The start of the hour a moment falls in (UTC). */
export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}

/** Counts one proxied call in its key's, connection's and hour's row: the audit of the proxy, never a body or path. */
export async function countProxiedCall(
  db: Db,
  args: { apiKeyId: string; connectionId: string; organizationId: string; at: Date; failed: boolean },
): Promise<void> {
  const failures = args.failed ? 1 : 0;
  await db
    .insert(apiProxyUsage)
    .values({
      apiKeyId: args.apiKeyId,
      connectionId: args.connectionId,
      organizationId: args.organizationId,
      hour: hourOf(args.at),
      calls: 1,
      failures,
    })
    .onConflictDoUpdate({
      target: [apiProxyUsage.apiKeyId, apiProxyUsage.connectionId, apiProxyUsage.hour],
      set: { calls: sql`${apiProxyUsage.calls} + 1`, failures: sql`${apiProxyUsage.failures} + ${failures}` },
    });
}

/** Proxied calls per key of an organization since a moment (the API keys page). */
export async function proxiedCallsSince(
  db: Db,
  organizationId: string,
  since: Date,
): Promise<Map<string, { calls: number; failures: number }>> {
  const rows = await db
    .select({
      apiKeyId: apiProxyUsage.apiKeyId,
      calls: sql<number>`sum(${apiProxyUsage.calls})::int`,
      failures: sql<number>`sum(${apiProxyUsage.failures})::int`,
    })
    .from(apiProxyUsage)
    .where(
      and(
        eq(apiProxyUsage.organizationId, organizationId),
        sql`${apiProxyUsage.hour} >= ${since.toISOString()}::timestamptz`,
      ),
    )
    .groupBy(apiProxyUsage.apiKeyId);
  return new Map(rows.map((row) => [row.apiKeyId, { calls: row.calls, failures: row.failures }]));
}
