"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { OOB_REDIRECT_URI } from "@/lib/apicbase/client";
import { recordAudit } from "@/lib/audit";
import { MANUAL_CODE_COOKIE, MANUAL_CODE_PATH, openManualIntent } from "@/lib/connections/intent";
import { getKeyring } from "@/lib/connections/keyring";
import {
  manualCodeField,
  parseOpenedSecondsAgo,
  REFUSED_CODE_MESSAGES,
  refusedCodeReason,
  type ManualCodeResult,
} from "@/lib/connections/manual-code";
import { CONNECT_ERRORS, connectErrorKey } from "@/lib/connections/notices";
import { connectWithCode, type CompletionResult } from "@/lib/connections/service";
import { canActFor, connectionContext } from "@/lib/dal/connections";
import { getCurrentUser } from "@/lib/dal/session";

const refused = (message: string): ManualCodeResult => ({ ok: false, message, fieldErrors: {} });
const NO_ATTEMPT =
  "This connect attempt is no longer valid (it was started more than 15 minutes ago, in another browser, or already finished). Start again from Connections.";

/**
 * The code pasted from Apicbase's page: checked for shape before anything is sent, then exchanged at once with the
 * out-of-band redirect URI and the attempt's PKCE verifier. The result is an ordinary connection.
 */
export async function exchangeManualCodeAction(
  _previous: ManualCodeResult | null,
  formData: FormData,
): Promise<ManualCodeResult> {
  const user = await getCurrentUser();
  if (!user) return refused("Your session has ended. Sign in again.");
  const jar = await cookies();
  const intent = openManualIntent(getKeyring(), jar.get(MANUAL_CODE_COOKIE)?.value, Date.now());
  if (!intent || intent.userId !== user.id) return refused(NO_ATTEMPT);
  if (!canActFor(user, intent.organizationId)) return refused(CONNECT_ERRORS.not_allowed);

  const parsed = manualCodeField.safeParse(formData.get("code") ?? "");
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Paste the code Apicbase showed you.";
    return { ok: false, message, fieldErrors: { code: message } };
  }

  const ctx = await connectionContext(user);
  let result: CompletionResult;
  try {
    result = await connectWithCode(ctx, await ctx.clientFor(intent.applicationId), {
      code: parsed.data,
      redirectUri: OOB_REDIRECT_URI,
      codeVerifier: intent.codeVerifier,
      scopes: intent.scopes,
      organizationId: intent.organizationId,
      applicationId: intent.applicationId,
      reauthorizeConnectionId: intent.reauthorizeConnectionId,
      via: "manual_code",
    });
  } catch (error) {
    const key = connectErrorKey(error);
    await recordAudit(ctx.db, {
      actor: ctx.actor,
      event: "connection_connect_failed",
      outcome: "failure",
      organizationId: intent.organizationId,
      connectionId: intent.reauthorizeConnectionId ?? null,
      apicbaseError: key,
      detail: { via: "manual_code", applicationId: intent.applicationId },
    });
    if (key === "code_rejected") {
      const reason = refusedCodeReason(parseOpenedSecondsAgo(formData.get("opened_seconds_ago")));
      return {
        ok: false,
        message: REFUSED_CODE_MESSAGES[reason],
        fieldErrors: {},
        expired: true,
        neverOpened: reason === "never_opened",
      };
    }
    return refused(CONNECT_ERRORS[key]);
  }

  jar.delete({ name: MANUAL_CODE_COOKIE, path: MANUAL_CODE_PATH });
  if (!result.ok) {
    if (result.reason === "library_mismatch")
      redirect(`/connections/${result.connectionId}?connect_error=library_mismatch`);
    return refused(CONNECT_ERRORS.not_found);
  }
  redirect(`/connections/${result.connectionId}?notice=${result.outcome}`);
}

/** "Cancel": forgets the attempt; a code Apicbase already showed simply expires. */
export async function cancelManualCodeAction(): Promise<void> {
  const user = await getCurrentUser();
  if (!user) redirect("/signin");
  const jar = await cookies();
  const intent = openManualIntent(getKeyring(), jar.get(MANUAL_CODE_COOKIE)?.value, Date.now());
  jar.delete({ name: MANUAL_CODE_COOKIE, path: MANUAL_CODE_PATH });
  if (intent?.reauthorizeConnectionId && intent.userId === user.id)
    redirect(`/connections/${intent.reauthorizeConnectionId}`);
  redirect(
    intent && intent.userId === user.id && canActFor(user, intent.organizationId)
      ? `/connections?organization=${intent.organizationId}`
      : "/connections",
  );
}
