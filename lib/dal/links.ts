import "server-only";
import { eq } from "drizzle-orm";
import { findLink, listOrganizationLinks, withdrawLink, type OrganizationLinkView } from "@/lib/connections/links";
import { recordAudit } from "@/lib/audit";
import { authorizationLinks, connections, getDb, organizations } from "@/lib/db";
import { recordId } from "@/lib/forms";
import { canActFor } from "./connections";
import type { PortalUser } from "./session";

export type { OrganizationLinkView };

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

/** The organization's connect and re-authorization links, for its members and admins; null for anyone else. */
export async function linksOf(user: PortalUser, organizationId: string): Promise<OrganizationLinkView[] | null> {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  return listOrganizationLinks(db, organizationId, new Date());
}

/** Makes an open link of the organization stop working at once (audited). */
export async function withdrawOrganizationLink(user: PortalUser, organizationId: string, linkId: string): Promise<"withdrawn" | "not_open" | "not_allowed"> {
  if (!canActFor(user, organizationId)) return "not_allowed";
  const { db } = await getDb();
  const withdrawn = await withdrawLink(db, { organizationId, linkId, now: new Date() });
  if (!withdrawn) return "not_open";
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    event: "authorization_link_withdrawn",
    outcome: "success",
    organizationId,
    connectionId: withdrawn.connectionId,
    detail: { kind: withdrawn.connectionId ? "reauthorize" : "connect", ...(withdrawn.customerLabel ? { customer: withdrawn.customerLabel } : {}) },
  });
  return "withdrawn";
}
