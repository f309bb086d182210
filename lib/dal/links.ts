import "server-only";
import { eq } from "drizzle-orm";
import { findLink } from "@/lib/connections/links";
import { authorizationLinks, connections, getDb, organizations } from "@/lib/db";
import { recordId } from "@/lib/forms";

/** Public on purpose: holding the link's secret is the authorization to see whom it is for. */
export async function linkForHolder(token: string) {
  const { db } = await getDb();
  return findLink(db, token, new Date());
}

/** The outcome page's names, by the link's (unguessable) id. */
export async function linkResult(linkId: string | undefined): Promise<{ organizationName: string | null; libraryName: string | null }> {
  if (!linkId || !recordId.safeParse(linkId).success) return { organizationName: null, libraryName: null };
  const { db } = await getDb();
  const [row] = await db
    .select({ organizationName: organizations.name, libraryName: connections.libraryName })
    .from(authorizationLinks)
    .innerJoin(organizations, eq(organizations.id, authorizationLinks.organizationId))
    .leftJoin(connections, eq(connections.id, authorizationLinks.resultConnectionId))
    .where(eq(authorizationLinks.id, linkId));
  return { organizationName: row?.organizationName ?? null, libraryName: row?.libraryName ?? null };
}
