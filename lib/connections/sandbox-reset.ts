import { and, eq, inArray } from "drizzle-orm";
import { latestConnectionEvent } from "@/lib/audit";
import { fetchSandboxInstance } from "@/lib/apicbase/sandbox";
import { auditEvents, connections, type DbExecutor } from "@/lib/db";

/** The events that store a new token pair from an approval (a refresh sets `last_refreshed_at`). */
const PAIR_EVENTS = ["connection_connected", "connection_updated", "connection_reauthorized", "connection_imported"];

/** When the portal got the connection's current token pair: its last refresh, or the approval or import before it. */
export async function tokensObtainedAt(db: DbExecutor, connectionId: string): Promise<Date | null> {
  const [row] = await db
    .select({ lastRefreshedAt: connections.lastRefreshedAt })
    .from(connections)
    .where(eq(connections.id, connectionId));
  if (!row) return null;
  const approval = await latestConnectionEvent(
    db,
    connectionId,
    and(eq(auditEvents.outcome, "success"), inArray(auditEvents.event, PAIR_EVENTS)),
  );
  const times = [row.lastRefreshedAt, approval?.occurredAt ?? null].filter((at): at is Date => at !== null);
  return times.length === 0 ? null : new Date(Math.max(...times.map((at) => at.getTime())));
}

/**
 * With the bundled sandbox: when it started over (its saved state deleted, or reset) after the portal got this
 * connection's tokens, the sandbox cannot know them, and "revoked" would be untrue. Returns that moment, else null
 * (also whenever the sandbox does not say, or the portal talks to another Apicbase).
 */
export async function sandboxResetSinceTokens(
  db: DbExecutor,
  connectionId: string,
  sandboxWebBase: string | null,
): Promise<Date | null> {
  if (!sandboxWebBase) return null;
  const obtainedAt = await tokensObtainedAt(db, connectionId);
  if (!obtainedAt) return null;
  const instance = await fetchSandboxInstance(sandboxWebBase);
  return instance && instance.stateSince.getTime() > obtainedAt.getTime() ? instance.stateSince : null;
}
