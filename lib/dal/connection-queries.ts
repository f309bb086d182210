import "server-only";
import {
  queryAttentionOverview,
  queryStatusCountsByOrganization,
  type AttentionOverview,
  type StatusCounts,
} from "@/lib/connections/overview";
import { queryConnectionDetail, queryConnectionHistory, queryConnectionList } from "@/lib/connections/queries";
import type { ConnectionDetailResponse, ConnectionFilters, ConnectionListView } from "@/lib/connections/view";
import { asc } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { applications, organizations } from "@/lib/db/schema";
import { recordId } from "@/lib/forms";
import { canActFor, connectionOwner } from "./connections";
import type { Admin, PortalUser } from "./session";

/**
 * The dashboard's reads. Every function takes the signed-in user and checks again that they may see the
 * organization (a member, or an admin); the answer for "not yours" and "does not exist" is the same null.
 */

/** One organization's connections; `null` as organization asks for every organization's, which only admins get. */
export async function listConnections(
  user: PortalUser,
  organizationId: string | null,
  filters: ConnectionFilters,
  now = new Date(),
): Promise<ConnectionListView | null> {
  if (organizationId === null) {
    if (!user.isAdmin) return null;
  } else if (!recordId.safeParse(organizationId).success || !canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  // Narrowing to another organization is the admin list's filter; an organization's own list ignores it.
  return queryConnectionList(db, organizationId, organizationId ? { ...filters, organization: null } : filters, now);
}

export type FilterOption = { id: string; name: string };

/**
 * What the list can be filtered by: the portal's applications (every organization connects through the same ones)
 * and, for the admin list (a null organization), every organization. Names only.
 */
export async function connectionFilterOptions(
  user: PortalUser,
  organizationId: string | null,
): Promise<{ applications: FilterOption[]; organizations?: FilterOption[] } | null> {
  if (organizationId === null ? !user.isAdmin : !canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  const [applicationRows, organizationRows] = await Promise.all([
    db
      .select({ id: applications.id, name: applications.name })
      .from(applications)
      .orderBy(asc(applications.name), asc(applications.id)),
    organizationId === null
      ? db
          .select({ id: organizations.id, name: organizations.name })
          .from(organizations)
          .orderBy(asc(organizations.name), asc(organizations.id))
      : null,
  ]);
  return organizationRows
    ? { applications: applicationRows, organizations: organizationRows }
    : { applications: applicationRows };
}

/** The detail page's data in one answer: the connection and one page of its history. */
export async function getConnectionWithHistory(
  user: PortalUser,
  connectionId: string,
  historyPage: number,
  now = new Date(),
  showHandouts = false,
): Promise<ConnectionDetailResponse | null> {
  const organizationId = await connectionOwner(user, connectionId);
  if (!organizationId) return null;
  const { db } = await getDb();
  const [connection, history] = await Promise.all([
    queryConnectionDetail(db, organizationId, connectionId),
    queryConnectionHistory(db, organizationId, connectionId, historyPage, showHandouts),
  ]);
  if (!connection) return null;
  return { connection, history, generatedAt: now.toISOString() };
}

/** The admin overview: what needs attention across every organization. */
export async function attentionOverview(_admin: Admin, now = new Date()): Promise<AttentionOverview> {
  const { db } = await getDb();
  return queryAttentionOverview(db, now);
}

/** Each organization's connections per status, for the admin's organizations page. */
export async function connectionHealthByOrganization(
  _admin: Admin,
  now = new Date(),
): Promise<Map<string, StatusCounts>> {
  const { db } = await getDb();
  return queryStatusCountsByOrganization(db, now);
}
