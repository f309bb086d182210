import "server-only";
import { eq } from "drizzle-orm";
import {
  createAuthorizationLink,
  findLink,
  LINK_APPROVAL,
  listOrganizationLinks,
  withdrawLink,
  type OrganizationLinkView,
} from "@/lib/connections/links";
import { recordAudit } from "@/lib/audit";
import { queryBulkLinkSecrets } from "@/lib/bulk-jobs/jobs";
import { getKeyring } from "@/lib/connections/keyring";
import { bulkLinkAad } from "@/lib/crypto/associated-data";
import { decryptSecret } from "@/lib/crypto/secrets";
import { authorizationLinks, connections, getDb, organizations, pick, type LinkOutcome } from "@/lib/db";
import { recordId } from "@/lib/forms";
import { latestReauthorizationRefusal, REFUSAL_SHOWN_MS } from "@/lib/connections/refusals";
import { refusalMessage } from "@/lib/messages/connections";
import { canActFor, connectionApplication, environmentApplication, portalOrigin } from "./connections";
import { actorOf } from "./actor";
import type { PortalUser } from "./session";

export type { OrganizationLinkView };

/**
 * A link of the organization's list. `url`: the link itself, for an open link that a bulk job of the viewer's made
 * (the job keeps its secret encrypted for the person who started it); null for every other link, whose secret was
 * shown once and only its hash kept.
 */
export type LinkListItem = OrganizationLinkView & { url: string | null };

/** Public on purpose: holding the link's secret is the authorization to see whom it is for. */
export async function linkForHolder(token: string) {
  const { db } = await getDb();
  return findLink(db, token, new Date());
}

export type LinkResultView = {
  organizationName: string | null;
  /** The connection's library now. */
  libraryName: string | null;
  /** Whom the partner made the link for. */
  customerLabel: string | null;
  kind: "connect" | "reauthorize" | null;
  /** What the approval did and the library the approver had active then (links used before this was kept: null). */
  outcome: LinkOutcome | null;
  approvedLibrary: { id: number; name: string } | null;
  approvedBy: string | null;
  /** A re-authorization link approved for the wrong library in the last minutes: who approved, with which library. */
  refusal: string | null;
};

/** The outcome page's names, by the link's (unguessable) id. */
export async function linkResult(linkId: string | undefined): Promise<LinkResultView> {
  const none: LinkResultView = {
    organizationName: null,
    libraryName: null,
    customerLabel: null,
    kind: null,
    outcome: null,
    approvedLibrary: null,
    approvedBy: null,
    refusal: null,
  };
  if (!linkId || !recordId.safeParse(linkId).success) return none;
  const { db } = await getDb();
  const [row] = await db
    .select({
      organizationName: organizations.name,
      libraryName: connections.libraryName,
      ...pick(authorizationLinks, "customerLabel", "connectionId"),
      ...LINK_APPROVAL,
    })
    .from(authorizationLinks)
    .innerJoin(organizations, eq(organizations.id, authorizationLinks.organizationId))
    .leftJoin(connections, eq(connections.id, authorizationLinks.resultConnectionId))
    .where(eq(authorizationLinks.id, linkId));
  if (!row) return none;
  let refusal: string | null = null;
  if (row.connectionId) {
    const [target] = await db
      .select({ libraryId: connections.libraryId, libraryName: connections.libraryName })
      .from(connections)
      .where(eq(connections.id, row.connectionId));
    const refused = target
      ? await latestReauthorizationRefusal(db, row.connectionId, new Date(Date.now() - REFUSAL_SHOWN_MS))
      : null;
    if (target && refused) refusal = refusalMessage(refused, target);
  }
  return {
    refusal,
    organizationName: row.organizationName,
    libraryName: row.libraryName,
    customerLabel: row.customerLabel,
    kind: row.connectionId ? "reauthorize" : "connect",
    outcome: row.outcome,
    approvedLibrary:
      row.approvedLibraryId !== null && row.approvedLibraryName !== null
        ? { id: row.approvedLibraryId, name: row.approvedLibraryName }
        : null,
    approvedBy: row.approvedBy,
  };
}

/** The organization's connect and re-authorization links, for its members and admins; null for anyone else. */
export async function linksOf(user: PortalUser, organizationId: string): Promise<LinkListItem[] | null> {
  if (!canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  const links = await listOrganizationLinks(db, organizationId, new Date());
  const open = links.filter((link) => link.state === "open").map((link) => link.id);
  const secrets = await queryBulkLinkSecrets(db, open, user.id);
  const urls = new Map<string, string>();
  if (secrets.length > 0) {
    const [origin, keyring] = [await portalOrigin(), getKeyring()];
    for (const secret of secrets) {
      const token = decryptSecret(keyring, secret.ciphertext, bulkLinkAad(secret.itemId));
      urls.set(secret.linkId, `${origin}/authorize/${token}`);
    }
  }
  return links.map((link) => ({ ...link, url: urls.get(link.id) ?? null }));
}

/** Makes an open link of the organization stop working at once (audited). */
export async function withdrawOrganizationLink(
  user: PortalUser,
  organizationId: string,
  linkId: string,
): Promise<"withdrawn" | "not_open" | "not_allowed"> {
  if (!canActFor(user, organizationId)) return "not_allowed";
  const { db } = await getDb();
  const withdrawn = await withdrawLink(db, { organizationId, linkId, now: new Date() });
  if (!withdrawn) return "not_open";
  await recordAudit(db, {
    actor: actorOf(user),
    event: "authorization_link_withdrawn",
    outcome: "success",
    organizationId,
    connectionId: withdrawn.connectionId,
    detail: {
      kind: withdrawn.connectionId ? "reauthorize" : "connect",
      ...(withdrawn.customerLabel ? { customer: withdrawn.customerLabel } : {}),
    },
  });
  return "withdrawn";
}

export type CreatedLink = { token: string; expiresAt: Date };

/** Creates a link by `user` and records it in the audit log: `detail` and the link's expiry. */
async function createAuditedLink(
  user: PortalUser,
  link: { organizationId: string; applicationId: string; connectionId?: string; customerLabel?: string },
  detail: { kind: "reauthorize" } | { kind: "connect"; customer: string },
) {
  const { db } = await getDb();
  const created = await createAuthorizationLink(db, { ...link, createdByUserId: user.id, now: new Date() });
  await recordAudit(db, {
    actor: actorOf(user),
    event: "authorization_link_created",
    outcome: "success",
    organizationId: link.organizationId,
    connectionId: link.connectionId,
    detail: { ...detail, expiresAt: created.expiresAt.toISOString() },
  });
  return created;
}

/**
 * A single-use link that lets the library owner re-authorize this connection at Apicbase without a portal account
 * (audited). An application without a redirect URL cannot bring a link's approval back to the portal: "oob".
 */
export async function createReauthorizationLink(
  user: PortalUser,
  connectionId: string,
): Promise<(CreatedLink & { libraryName: string }) | "not_found" | "oob"> {
  const row = await connectionApplication(user, connectionId);
  if (!row) return "not_found";
  const { organizationId } = row;
  if (row.redirectMode === "oob") return "oob";
  const link = await createAuditedLink(
    user,
    { organizationId, applicationId: row.applicationId, connectionId },
    { kind: "reauthorize" },
  );
  return { token: link.token, expiresAt: link.expiresAt, libraryName: row.libraryName };
}

/** A single-use link for a named customer, with the environment's application (audited); null for non-members. */
export async function createConnectLink(
  user: PortalUser,
  organizationId: string,
  customer: string,
): Promise<CreatedLink | null> {
  if (!canActFor(user, organizationId)) return null;
  const app = await environmentApplication();
  const link = await createAuditedLink(
    user,
    { organizationId, applicationId: app.id, customerLabel: customer },
    { kind: "connect", customer },
  );
  return { token: link.token, expiresAt: link.expiresAt };
}
