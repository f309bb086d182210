"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { OOB_REDIRECT_URI } from "@/lib/apicbase/client";
import { MANUAL_CODE_COOKIE, MANUAL_CODE_PATH, openManualIntent } from "@/lib/connections/intent";
import { getKeyring } from "@/lib/connections/keyring";
import {
  manualCodeField,
  parseOpenedSecondsAgo,
  refusedCodeReason,
  type ManualCodeResult,
} from "@/lib/connections/manual-code";
import { CODE_MESSAGES, REFUSED_CODE_MESSAGES } from "@/lib/messages/manual-code";
import { CONNECT_ERRORS } from "@/lib/messages/connect";
import { connectWithCode, type CompletionResult } from "@/lib/connections/service";
import { canActFor, connectionContext, recordConnectFailure } from "@/lib/dal/connections";
import { action, redirectAction } from "@/lib/dal/actions";

const refused = (message: string): ManualCodeResult => ({ ok: false, message, fieldErrors: {} });
const NO_ATTEMPT =
  "This connect attempt is no longer valid (it was started more than 15 minutes ago, in another browser, or " +
  "already finished). Start again from Connections.";

/**
 * The code pasted from Apicbase's page: checked for shape before anything is sent, then exchanged at once with the
 * out-of-band redirect URI and the attempt's PKCE verifier. The result is an ordinary connection. The attempt, in an
 * encrypted cookie, names the organization, so ownership is checked here rather than from a form field.
 */
export const exchangeManualCodeAction = action(
  {
    name: "exchange_manual_code",
    // The code is checked after the attempt: without an attempt, the code's shape does not matter.
    schema: z.object({ code: z.string().optional(), opened_seconds_ago: z.string().optional() }),
    secrets: ["code"],
  },
  async (ctx, form): Promise<ManualCodeResult> => {
    const jar = await cookies();
    const intent = openManualIntent(getKeyring(), jar.get(MANUAL_CODE_COOKIE)?.value, Date.now());
    if (!intent || intent.userId !== ctx.user.id) return refused(NO_ATTEMPT);
    if (!canActFor(ctx.user, intent.organizationId))
      return ctx.refuse(CONNECT_ERRORS.not_allowed, { organizationId: intent.organizationId });

    const parsed = manualCodeField.safeParse(form.code ?? "");
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? CODE_MESSAGES.empty;
      return { ok: false, message, fieldErrors: { code: message } };
    }

    const connection = await connectionContext(ctx.user);
    let result: CompletionResult;
    try {
      result = await connectWithCode(connection, await connection.clientFor(intent.applicationId), {
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
      const key = await recordConnectFailure(connection, intent, error, {
        via: "manual_code",
        applicationId: intent.applicationId,
      });
      if (key === "code_rejected") {
        const reason = refusedCodeReason(parseOpenedSecondsAgo(form.opened_seconds_ago ?? null));
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
  },
);

/** "Cancel": forgets the attempt; a code Apicbase already showed simply expires. */
export const cancelManualCodeAction = redirectAction(
  { name: "cancel_manual_code", schema: z.object({}), notAllowed: "/connections" },
  async ({ user }) => {
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
  },
);
