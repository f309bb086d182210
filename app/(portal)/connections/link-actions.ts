"use server";

import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { createAuthorizationLink } from "@/lib/connections/links";
import { canActFor, connectionOwner, environmentApplication, portalOrigin } from "@/lib/dal/connections";
import { getCurrentUser } from "@/lib/dal/session";
import { applications, connections, getDb } from "@/lib/db";
import { recordId, type ActionResult } from "@/lib/forms";
import { formatAbsolute } from "@/lib/time";

export type LinkActionResult =
  (ActionResult<"connectionId" | "organizationId" | "customerLabel"> & { link?: string }) | null;

const OOB_LINK_REFUSED =
  "This connection's application has no redirect URL, so a link cannot bring the approval back to the portal. Use Re-authorize: it gives you the Apicbase link to open or send, and a field for the code Apicbase shows.";

const customerLabel = z
  .string()
  .trim()
  .min(2, "Name the customer (2 to 80 characters), so you recognise the connection when it arrives.")
  .max(80, "At most 80 characters.")
  .refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v), "Only visible characters, please.");

/** A single-use link that lets the library owner re-authorize this connection at Apicbase without a portal account. */
export async function createReauthorizationLinkAction(
  _previous: LinkActionResult,
  formData: FormData,
): Promise<NonNullable<LinkActionResult>> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: "Your session has ended. Sign in again.", fieldErrors: {} };
  const connectionId = String(formData.get("connectionId") ?? "");
  const organizationId = await connectionOwner(user, connectionId);
  if (!organizationId)
    return {
      ok: false,
      message: "This connection does not exist or belongs to another organization.",
      fieldErrors: {},
    };
  const { db } = await getDb();
  const [row] = await db
    .select({
      applicationId: connections.applicationId,
      libraryName: connections.libraryName,
      redirectMode: applications.redirectMode,
    })
    .from(connections)
    .innerJoin(applications, eq(applications.id, connections.applicationId))
    .where(eq(connections.id, connectionId));
  if (!row) return { ok: false, message: "This connection no longer exists.", fieldErrors: {} };
  // A link's approval comes back through the portal's redirect URI, which an application without one cannot use.
  if (row.redirectMode === "oob") return { ok: false, message: OOB_LINK_REFUSED, fieldErrors: {} };
  const link = await createAuthorizationLink(db, {
    organizationId,
    applicationId: row.applicationId,
    connectionId,
    createdByUserId: user.id,
    now: new Date(),
  });
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    event: "authorization_link_created",
    outcome: "success",
    organizationId,
    connectionId,
    detail: { kind: "reauthorize", expiresAt: link.expiresAt.toISOString() },
  });
  return {
    ok: true,
    message: `Send this link to the owner of "${row.libraryName}". It works once, until ${formatAbsolute(link.expiresAt)}; it is shown only now, and a new link replaces it.`,
    link: `${await portalOrigin()}/authorize/${link.token}`,
  };
}

/** A single-use link for a named customer: whoever approves with it connects their active library to the organization. */
export async function createConnectLinkAction(
  _previous: LinkActionResult,
  formData: FormData,
): Promise<NonNullable<LinkActionResult>> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: "Your session has ended. Sign in again.", fieldErrors: {} };
  const organizationId = String(formData.get("organizationId") ?? "");
  if (!recordId.safeParse(organizationId).success || !canActFor(user, organizationId)) {
    return { ok: false, message: "You cannot create links for this organization.", fieldErrors: {} };
  }
  const label = customerLabel.safeParse(String(formData.get("customerLabel") ?? ""));
  if (!label.success) {
    return {
      ok: false,
      message: "No link was created.",
      fieldErrors: { customerLabel: label.error.issues[0]?.message },
      values: { customerLabel: String(formData.get("customerLabel") ?? "") },
    };
  }
  const { db } = await getDb();
  const app = await environmentApplication();
  const link = await createAuthorizationLink(db, {
    organizationId,
    applicationId: app.id,
    customerLabel: label.data,
    createdByUserId: user.id,
    now: new Date(),
  });
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    event: "authorization_link_created",
    outcome: "success",
    organizationId,
    detail: { kind: "connect", customer: label.data, expiresAt: link.expiresAt.toISOString() },
  });
  return {
    ok: true,
    message: `Send this link to ${label.data}. It works once, until ${formatAbsolute(link.expiresAt)}, and is shown only now.`,
    link: `${await portalOrigin()}/authorize/${link.token}`,
  };
}
