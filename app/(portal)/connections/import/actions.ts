"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { recordAudit } from "@/lib/audit";
import { clientForApplication } from "@/lib/connections/applications";
import { getKeyring } from "@/lib/connections/keyring";
import { completeAuthorization } from "@/lib/connections/service";
import {
  IMPORT_COOKIE,
  IMPORT_PATH,
  IMPORT_TTL_MS,
  importTokensForm,
  inspectImport,
  openPendingImport,
  pendingFromFinding,
  sealPendingImport,
  tokenSetOf,
  type ImportField,
} from "@/lib/connections/token-import";
import { applicationsForNewConnections } from "@/lib/dal/applications";
import { canActFor, connectionContext, portalOrigin } from "@/lib/dal/connections";
import { getCurrentUser } from "@/lib/dal/session";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { fieldErrorsOf, readFields, recordId, type ActionResult } from "@/lib/forms";

export type ImportResult = ActionResult<ImportField>;

const refused = (message: string, field?: ImportField): ImportResult => ({
  ok: false,
  message,
  fieldErrors: field ? { [field]: message } : {},
});
const importPage = (organizationId: string, extra = "") => `${IMPORT_PATH}?organization=${organizationId}${extra}`;

/**
 * Step 1: checks the pasted pair with Apicbase as the chosen application. Malformed input is refused before any
 * request; what Apicbase confirms waits sealed in an HttpOnly cookie for the partner's confirmation.
 */
export async function checkImportAction(_previous: ImportResult | null, formData: FormData): Promise<ImportResult> {
  const user = await getCurrentUser();
  if (!user) return refused("Your session has ended. Sign in again.");
  const fields = readFields(formData, ["organizationId", "applicationId", "accessToken", "refreshToken"]);
  if (!recordId.safeParse(fields.organizationId).success || !canActFor(user, fields.organizationId!)) {
    return refused("You can no longer act for this organization. Nothing was stored.");
  }
  const organizationId = fields.organizationId!;
  const parsed = importTokensForm.safeParse(fields);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf<ImportField>(parsed.error);
    return {
      ok: false,
      message: "Check the highlighted fields. Nothing was sent to Apicbase.",
      fieldErrors,
      values: { applicationId: fields.applicationId ?? "" },
    };
  }
  const input = parsed.data;
  const applications = await applicationsForNewConnections(user);
  const chosen = applications.find((application) => application.id === input.applicationId);
  if (!chosen)
    return refused("That application is disabled or no longer registered. Choose another one.", "applicationId");

  const { db } = await getDb();
  const keyring = getKeyring();
  const settings = resolveApicbaseSettings(env());
  const clientOf = (applicationId: string) => clientForApplication(db, keyring, settings, applicationId);
  const client = await clientOf(chosen.id);
  const others = applications
    .filter((application) => application.id !== chosen.id)
    .map((application) => ({
      name: application.name,
      introspect: async (token: string) => (await clientOf(application.id)).introspect(token),
    }));
  const now = new Date();
  const decision = await inspectImport({
    client,
    applicationName: chosen.name,
    others,
    accessToken: input.accessToken,
    refreshToken: input.refreshToken,
    now,
  });
  const actor = { id: user.id, email: user.email };
  if (!decision.ok) {
    await recordAudit(db, {
      actor,
      event: "connection_import_refused",
      outcome: "failure",
      organizationId,
      apicbaseError: decision.code,
      detail: { applicationId: chosen.id, reason: decision.reason },
    });
    return decision.field
      ? {
          ok: false,
          message: "Apicbase did not accept these tokens. Nothing was stored.",
          fieldErrors: { [decision.field]: decision.message },
          values: { applicationId: chosen.id },
        }
      : { ok: false, message: decision.message, fieldErrors: {}, values: { applicationId: chosen.id } };
  }

  const pending = pendingFromFinding(decision.finding, {
    userId: user.id,
    organizationId,
    applicationId: chosen.id,
    now,
  });
  (await cookies()).set(IMPORT_COOKIE, sealPendingImport(keyring, pending), {
    httpOnly: true,
    sameSite: "strict",
    secure: (await portalOrigin()).startsWith("https:"),
    path: IMPORT_PATH,
    maxAge: IMPORT_TTL_MS / 1000,
  });
  redirect(importPage(organizationId));
}

const NOT_WAITING = "expired";

/** Step 2: stores the checked pair as an ordinary connection (the same library twice updates it in place). */
export async function confirmImportAction(formData: FormData): Promise<void> {
  const user = await getCurrentUser();
  if (!user) redirect("/signin");
  const organizationId = String(formData.get("organizationId") ?? "");
  if (!recordId.safeParse(organizationId).success || !canActFor(user, organizationId))
    redirect("/connections?connect_error=not_allowed");
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
}

/** "Cancel": forgets the checked pair. One the portal refreshed exists nowhere else, so it is handed back to Apicbase. */
export async function cancelImportAction(formData: FormData): Promise<void> {
  const user = await getCurrentUser();
  if (!user) redirect("/signin");
  const organizationId = String(formData.get("organizationId") ?? "");
  const jar = await cookies();
  const pending = openPendingImport(getKeyring(), jar.get(IMPORT_COOKIE)?.value, Date.now());
  jar.delete({ name: IMPORT_COOKIE, path: IMPORT_PATH });
  if (pending && pending.userId === user.id && pending.refreshed && canActFor(user, pending.organizationId)) {
    const { db } = await getDb();
    const client = await clientForApplication(
      db,
      getKeyring(),
      resolveApicbaseSettings(env()),
      pending.applicationId,
    ).catch(() => null);
    await client?.revoke(pending.refreshToken, "refresh_token").catch(() => undefined);
  }
  redirect(
    recordId.safeParse(organizationId).success && canActFor(user, organizationId)
      ? importPage(organizationId)
      : "/connections",
  );
}
