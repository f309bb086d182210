import "server-only";
import {
  queryConnectionDetail,
  queryConnectionHistory,
  queryConnectionList,
} from "@/lib/connections/queries";
import type {
  ConnectionDetailResponse,
  ConnectionDetailView,
  ConnectionFilters,
  ConnectionHistoryView,
  ConnectionListView,
} from "@/lib/connections/view";
import { getDb } from "@/lib/db";
import { recordId } from "@/lib/forms";
import { canActFor, connectionOwner } from "./connections";
import type { PortalUser } from "./session";

/**
 * The dashboard's reads. Every function takes the signed-in user and checks again that they may see the
 * organization (a member, or an admin); the answer for "not yours" and "does not exist" is the same null.
 */

export async function listConnections(
  user: PortalUser,
  organizationId: string,
  filters: ConnectionFilters,
  now = new Date(),
): Promise<ConnectionListView | null> {
  if (!recordId.safeParse(organizationId).success || !canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  return queryConnectionList(db, organizationId, filters, now);
}

/** How many connections match (for callers that need the number without a page of rows). */
export async function countConnections(
  user: PortalUser,
  organizationId: string,
  filters: Omit<ConnectionFilters, "page">,
  now = new Date(),
): Promise<number | null> {
  const list = await listConnections(user, organizationId, { ...filters, page: 1 }, now);
  return list?.total ?? null;
}

export async function getConnectionDetail(user: PortalUser, connectionId: string): Promise<ConnectionDetailView | null> {
  const organizationId = await connectionOwner(user, connectionId);
  if (!organizationId) return null;
  const { db } = await getDb();
  return queryConnectionDetail(db, organizationId, connectionId);
}

export async function getConnectionHistory(
  user: PortalUser,
  connectionId: string,
  page: number,
): Promise<ConnectionHistoryView | null> {
  const organizationId = await connectionOwner(user, connectionId);
  if (!organizationId) return null;
  const { db } = await getDb();
  return queryConnectionHistory(db, organizationId, connectionId, page);
}

/** The detail page's data in one answer: the connection and one page of its history. */
export async function getConnectionWithHistory(
  user: PortalUser,
  connectionId: string,
  historyPage: number,
  now = new Date(),
): Promise<ConnectionDetailResponse | null> {
  const organizationId = await connectionOwner(user, connectionId);
  if (!organizationId) return null;
  const { db } = await getDb();
  const [connection, history] = await Promise.all([
    queryConnectionDetail(db, organizationId, connectionId),
    queryConnectionHistory(db, organizationId, connectionId, historyPage),
  ]);
  if (!connection) return null;
  return { connection, history, generatedAt: now.toISOString() };
}
