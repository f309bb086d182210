"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { withdrawOrganizationLink } from "@/lib/dal/links";
import { getCurrentUser } from "@/lib/dal/session";
import { getDb } from "@/lib/db";
import { fieldErrorsOf, readFields, recordId, type ActionResult } from "@/lib/forms";
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

export async function withdrawLinkAction(
  _previous: WithdrawLinkResult | null,
  formData: FormData,
): Promise<WithdrawLinkResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: "Your session has ended. Sign in again.", fieldErrors: {} };
  const parsed = withdrawForm.safeParse(readFields(formData, ["organizationId", "linkId"]));
  if (!parsed.success)
    return {
      ok: false,
      message: "This link no longer exists. Reload the page.",
      fieldErrors: fieldErrorsOf(parsed.error),
    };
  const { organizationId, linkId } = parsed.data;
  const outcome = await withdrawOrganizationLink(user, organizationId, linkId);
  if (outcome === "not_allowed") {
    const { db } = await getDb();
    await recordAudit(db, {
      actor: { id: user.id, email: user.email },
      event: "access_refused",
      outcome: "failure",
      detail: { action: "withdraw_authorization_link", organizationId },
    });
    return { ok: false, message: "Only members of this organization can withdraw its links.", fieldErrors: {} };
  }
  revalidatePath(PAGE);
  if (outcome === "not_open")
    return {
      ok: false,
      message: "This link was already used, withdrawn or expired. Reload the page.",
      fieldErrors: {},
    };
  return { ok: true, message: "Withdrawn: the link no longer works." };
}
