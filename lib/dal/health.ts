import "server-only";
import { getDb } from "@/lib/db";
import { connectionTimeline, healthOverTime, type HealthOverview, type TimelineEvent } from "@/lib/health/queries";
import { canActFor } from "./connections";
import type { Admin, PortalUser } from "./session";

/** The organization's health over the last 30 days, for its members and admins; null for anyone else. */
export async function organizationHealth(
  user: PortalUser,
  organizationId: string,
  now: Date,
): Promise<HealthOverview | null> {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  return healthOverTime(db, { organizationId, now });
}

/** Every organization's, for the admin overview. */
export async function portalHealth(_admin: Admin, now: Date): Promise<HealthOverview> {
  const { db } = await getDb();
  return healthOverTime(db, { organizationId: null, now });
}

export async function timelineOf(
  user: PortalUser,
  organizationId: string,
  connectionId: string,
  now: Date,
): Promise<TimelineEvent[] | null> {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  return connectionTimeline(db, { organizationId, connectionId, now });
}
