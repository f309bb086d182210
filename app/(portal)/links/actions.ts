"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/dal/actions";
import { withdrawOrganizationLink } from "@/lib/dal/links";
import { type ActionResult, failure, recordId } from "@/lib/forms";
import { createConnectLinkAction, type LinkActionResult } from "../connections/link-actions";

const PAGE = "/links";

/** The connections page's connect link action, and the list on this page shows the new link at once. */
export async function createConnectLinkOnLinksPageAction(
  previous: LinkActionResult,
  formData: FormData,
): Promise<NonNullable<LinkActionResult>> {
  const result = await createConnectLinkAction(previous, formData);
  if (result.ok) revalidatePath(PAGE);
  return result;
}

const withdrawForm = z.object({ organizationId: recordId, linkId: recordId });
export type WithdrawLinkResult = ActionResult<"organizationId" | "linkId">;

export const withdrawLinkAction = action(
  {
    name: "withdraw_authorization_link",
    owns: "organization",
    schema: withdrawForm,
    invalid: "This link no longer exists. Reload the page.",
    notAllowed: "Only members of this organization can withdraw its links.",
  },
  async (ctx, { linkId }): Promise<WithdrawLinkResult> => {
    const outcome = await withdrawOrganizationLink(ctx.user, ctx.organizationId, linkId);
    if (outcome === "not_allowed") return ctx.refuse();
    revalidatePath(PAGE);
    if (outcome === "not_open") return failure("This link was already used, withdrawn or expired. Reload the page.");
    return { ok: true, message: "Withdrawn: the link no longer works." };
  },
);
