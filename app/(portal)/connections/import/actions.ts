"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getKeyring } from "@/lib/connections/keyring";
import { completeAuthorization } from "@/lib/connections/service";
import {
  IMPORT_COOKIE,
  IMPORT_PATH,
  IMPORT_TTL_MS,
  importTokensForm,
  openPendingImport,
  pendingFromFinding,
  sealPendingImport,
  tokenSetOf,
  type ImportField,
} from "@/lib/connections/token-import";
import { action, redirectAction } from "@/lib/dal/actions";
import { checkTokenImport, revokeCancelledImport } from "@/lib/dal/connect-flows";
import { canActFor, connectionContext, portalOrigin } from "@/lib/dal/connections";
import { recordId, type ActionResult } from "@/lib/forms";
import { describeImportRefusal } from "@/lib/messages/token-import";

export type ImportResult = ActionResult<ImportField>;

const importPage = (organizationId: string, extra = "") => `${IMPORT_PATH}?organization=${organizationId}${extra}`;
const NOT_WAITING = "expired";

/**
 * Step 1: checks the pasted pair with Apicbase as the chosen application. Malformed input is refused before any
 * request; what Apicbase confirms waits sealed in an HttpOnly cookie for the partner's confirmation.
 */
export const checkImportAction = action(
  {
    name: "check_token_import",
    owns: "organization",
    schema: importTokensForm,
    secrets: ["accessToken", "refreshToken"],
    invalid: "Check the highlighted fields. Nothing was sent to Apicbase.",
    notAllowed: "You can no longer act for this organization. Nothing was stored.",
  },
  async (ctx, input): Promise<ImportResult> => {
    const now = new Date();
    const checked = await checkTokenImport(ctx.user, input, now);
    if (!checked) {
      const message = "That application is disabled or no longer registered. Choose another one.";
      return { ok: false, message, fieldErrors: { applicationId: message } };
    }
    const { decision, applicationId } = checked;
    if (!decision.ok) {
      return decision.field
        ? {
            ok: false,
            message: "Apicbase did not accept these tokens. Nothing was stored.",
            fieldErrors: { [decision.field]: describeImportRefusal(decision) },
            values: { applicationId },
          }
        : { ok: false, message: describeImportRefusal(decision), fieldErrors: {}, values: { applicationId } };
    }
    const pending = pendingFromFinding(decision.finding, {
      userId: ctx.user.id,
      organizationId: ctx.organizationId,
      applicationId,
      now,
    });
    (await cookies()).set(IMPORT_COOKIE, sealPendingImport(getKeyring(), pending), {
      httpOnly: true,
      sameSite: "strict",
      secure: (await portalOrigin()).startsWith("https:"),
      path: IMPORT_PATH,
      maxAge: IMPORT_TTL_MS / 1000,
    });
    redirect(importPage(ctx.organizationId));
  },
);

/** Step 2: stores the checked pair as an ordinary connection (the same library twice updates it in place). */
export const confirmImportAction = redirectAction(
  {
    name: "confirm_token_import",
    owns: "organization",
    schema: z.object({ organizationId: recordId }),
    notAllowed: "/connections?connect_error=not_allowed",
  },
  async ({ user, organizationId }) => {
    const jar = await cookies();
    const pending = openPendingImport(getKeyring(), jar.get(IMPORT_COOKIE)?.value, Date.now());
    if (!pending || pending.userId !== user.id || pending.organizationId !== organizationId) {
      redirect(importPage(organizationId, `&import_error=${NOT_WAITING}`));
    }
    const ctx = await connectionContext(user);
    // The cookie stays until the connection is stored: if the database fails, "Store" can be pressed again.
    const result = await completeAuthorization(ctx, {
      organizationId,
      applicationId: pending.applicationId,
      tokens: tokenSetOf(pending, ctx.now()),
      library: pending.library,
      via: "token_import",
    });
    jar.delete({ name: IMPORT_COOKIE, path: IMPORT_PATH });
    if (!result.ok) redirect(importPage(organizationId, `&import_error=${NOT_WAITING}`));
    redirect(
      `/connections/${result.connectionId}?notice=${result.outcome === "connected" ? "imported" : result.outcome}`,
    );
  },
);

/**
 * "Cancel": forgets the checked pair. One the portal refreshed exists nowhere else, so it is handed back to Apicbase.
 */
export const cancelImportAction = redirectAction(
  {
    name: "cancel_token_import",
    schema: z.object({ organizationId: z.string().optional() }),
    notAllowed: "/connections",
  },
  async ({ user }, { organizationId = "" }) => {
    const jar = await cookies();
    const pending = openPendingImport(getKeyring(), jar.get(IMPORT_COOKIE)?.value, Date.now());
    jar.delete({ name: IMPORT_COOKIE, path: IMPORT_PATH });
    if (pending) await revokeCancelledImport(user, pending);
    redirect(
      recordId.safeParse(organizationId).success && canActFor(user, organizationId)
        ? importPage(organizationId)
        : "/connections",
    );
  },
);
