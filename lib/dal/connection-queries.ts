import "server-only";
import {
  queryAttentionOverview,
  queryConnectionDetail,
  queryConnectionHistory,
  queryConnectionList,
  queryStatusCountsByOrganization,
  type AttentionOverview,
  type StatusCounts,
} from "@/lib/connections/queries";
import type {
  ConnectionDetailResponse,
  ConnectionDetailView,
  ConnectionFilters,
  ConnectionListView,
} from "@/lib/connections/view";
import { getDb } from "@/lib/db";
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
  return queryConnectionList(db, organizationId, filters, now);
}

export async function getConnectionDetail(
  user: PortalUser,
  connectionId: string,
): Promise<ConnectionDetailView | null> {
  const organizationId = await connectionOwner(user, connectionId);
  if (!organizationId) return null;
  const { db } = await getDb();
  return queryConnectionDetail(db, organizationId, connectionId);
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
