"use server";

import { z } from "zod";
import { action } from "@/lib/dal/actions";
import { portalOrigin } from "@/lib/dal/connections";
import { createConnectLink, createReauthorizationLink } from "@/lib/dal/links";
import { recordId, type ActionResult } from "@/lib/forms";
import { formatAbsolute } from "@/lib/time";

export type LinkActionResult =
  (ActionResult<"connectionId" | "organizationId" | "customerLabel"> & { link?: string }) | null;
type LinkAnswer = NonNullable<LinkActionResult>;

const OOB_LINK_REFUSED =
  "This connection's application has no redirect URL, so a link cannot bring the approval back to the portal. " +
  "Use Re-authorize: it gives you the Apicbase link to open or send, and a field for the code Apicbase shows.";

const customerLabel = z
  .string()
  .trim()
  .min(2, "Name the customer (2 to 80 characters), so you recognise the connection when it arrives.")
  .max(80, "At most 80 characters.")
  .refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v), "Only visible characters, please.");

/** A single-use link that lets the library owner re-authorize this connection at Apicbase without a portal account. */
export const createReauthorizationLinkAction = action(
  {
    name: "create_reauthorization_link",
    owns: "connection",
    schema: z.object({ connectionId: recordId }),
  },
  async (ctx): Promise<LinkAnswer> => {
    const link = await createReauthorizationLink(ctx.user, ctx.connectionId);
    if (link === "not_found") return { ok: false, message: "This connection no longer exists.", fieldErrors: {} };
    // A link's approval comes back through the portal's redirect URI, which an application without one cannot use.
    if (link === "oob") return { ok: false, message: OOB_LINK_REFUSED, fieldErrors: {} };
    return {
      ok: true,
      message:
        `Send this link to the owner of "${link.libraryName}". It works once, until ` +
        `${formatAbsolute(link.expiresAt)}; it is shown only now, and a new link replaces it.`,
      link: `${await portalOrigin()}/authorize/${link.token}`,
    };
  },
);

/**
 * A single-use link for a named customer: whoever approves with it connects their active library to the organization.
 */
export const createConnectLinkAction = action(
  {
    name: "create_connect_link",
    owns: "organization",
    schema: z.object({ organizationId: recordId, customerLabel }),
    invalid: "No link was created.",
    notAllowed: "You cannot create links for this organization.",
  },
  async (ctx, { customerLabel: customer }): Promise<LinkAnswer> => {
    const link = await createConnectLink(ctx.user, ctx.organizationId, customer);
    if (!link) return ctx.refuse();
    return {
      ok: true,
      message:
        `Send this link to ${customer}. It works once, until ${formatAbsolute(link.expiresAt)}, and is shown only ` +
        `now.`,
      link: `${await portalOrigin()}/authorize/${link.token}`,
    };
  },
);
