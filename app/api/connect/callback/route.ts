import { NextResponse, type NextRequest } from "next/server";
import { recordAudit } from "@/lib/audit";
import { getKeyring } from "@/lib/connections/keyring";
import { CONNECT_COOKIE, openIntent } from "@/lib/connections/intent";
import { connectErrorKey, type ConnectErrorKey } from "@/lib/connections/notices";
import { connectWithCode } from "@/lib/connections/service";
import { CONNECT_CALLBACK_PATH, canActFor, connectionContext, portalOrigin } from "@/lib/dal/connections";
import { getCurrentUser } from "@/lib/dal/session";
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { clientForApplication } from "@/lib/connections/applications";
import {
  LINK_RESULT_COOKIE,
  LINK_RESULT_PATH,
  LINK_RESULT_TTL_MS,
  sealLinkResult,
} from "@/lib/connections/link-result";
import { claimLinkByState, finishLink, isLinkState } from "@/lib/connections/links";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

/** Where Apicbase sends the browser back after "Connect a library", "Re-authorize" or an authorization link. */
export async function GET(request: NextRequest) {
  const origin = await portalOrigin();
  const { db } = await getDb();
  if (await isLinkState(db, request.nextUrl.searchParams.get("state"))) return linkCallback(request, origin);
  const user = await getCurrentUser();
  const back = (path: string) => {
    const response = NextResponse.redirect(new URL(path, origin), 303);
    response.cookies.delete({ name: CONNECT_COOKIE, path: "/api/connect" });
    return response;
  };
  if (!user) return back("/signin");

  const intent = openIntent(getKeyring(), request.cookies.get(CONNECT_COOKIE)?.value, Date.now());
  const list = (organizationId: string | undefined, error: ConnectErrorKey) =>
    back(
      `/connections?${new URLSearchParams({ ...(organizationId ? { organization: organizationId } : {}), connect_error: error })}`,
    );
  if (!intent || intent.userId !== user.id) return list(undefined, "expired_attempt");
  if (!canActFor(user, intent.organizationId)) return list(undefined, "not_allowed");

  const ctx = await connectionContext(user);
  const client = await ctx.clientFor(intent.applicationId);
  let result;
  try {
    const { code } = client.parseAuthorizationResponse(request.nextUrl.searchParams, intent.state);
    result = await connectWithCode(ctx, client, {
      code,
      redirectUri: intent.redirectUri,
      codeVerifier: intent.codeVerifier,
      scopes: intent.scopes,
      organizationId: intent.organizationId,
      applicationId: intent.applicationId,
      reauthorizeConnectionId: intent.reauthorizeConnectionId,
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
    });
    return intent.reauthorizeConnectionId
      ? back(`/connections/${intent.reauthorizeConnectionId}?connect_error=${key}`)
      : list(intent.organizationId, key);
  }
  if (!result.ok) {
    if (result.reason === "library_mismatch")
      return back(`/connections/${result.connectionId}?connect_error=library_mismatch`);
    return list(intent.organizationId, "not_found");
  }
  return back(`/connections/${result.connectionId}?notice=${result.outcome}`);
}

/**
 * The approval of someone holding an authorization link (typically the library owner, with no portal account):
 * the link, not a session, says which organization and connection the approval is for. Single use.
 */
async function linkCallback(request: NextRequest, origin: string) {
  const { db } = await getDb();
  const keyring = getKeyring();
  const params = request.nextUrl.searchParams;
  // The outcome travels sealed in a short-lived cookie the result page reads once, never in the URL: a crafted
  // /authorize/result?outcome=connected must not tell anyone that their library is connected.
  const result = (linkId: string | null, outcome: string) => {
    const response = NextResponse.redirect(new URL(LINK_RESULT_PATH, origin), 303);
    response.cookies.set(LINK_RESULT_COOKIE, sealLinkResult(keyring, { linkId, outcome, createdAt: Date.now() }), {
      httpOnly: true,
      sameSite: "lax",
      secure: origin.startsWith("https:"),
      path: LINK_RESULT_PATH,
      maxAge: LINK_RESULT_TTL_MS / 1000,
    });
    return response;
  };
  const link = await claimLinkByState(db, keyring, params.get("state") ?? "", new Date());
  if (!link) return result(null, "expired_attempt");

  const client = await clientForApplication(db, keyring, resolveApicbaseSettings(env()), link.applicationId);
  const actor = { system: `authorization link${link.customerLabel ? ` for ${link.customerLabel}` : ""}` };
  try {
    const { code } = client.parseAuthorizationResponse(params, params.get("state") ?? "");
    const redirectUri = `${origin}${CONNECT_CALLBACK_PATH}`;
    const completed = await connectWithCode(
      { db, keyring, clientFor: async () => client, now: () => new Date(), actor, leaseOwner: "authorization-link" },
      client,
      {
        code,
        redirectUri,
        codeVerifier: link.codeVerifier,
        organizationId: link.organizationId,
        applicationId: link.applicationId,
        reauthorizeConnectionId: link.connectionId ?? undefined,
      },
    );
    if (!completed.ok) {
      await finishLink(db, link.id, { release: true });
      return result(link.id, completed.reason === "library_mismatch" ? "library_mismatch" : "not_found");
    }
    await finishLink(db, link.id, {
      connectionId: completed.connectionId,
      outcome: completed.outcome,
      library: { id: completed.libraryId, name: completed.libraryName },
      approvedBy: completed.approvedBy,
    });
    return result(link.id, completed.outcome);
  } catch (error) {
    // Nothing was stored: the link may be used again (e.g. after cancelling by mistake).
    await finishLink(db, link.id, { release: true });
    const key = connectErrorKey(error);
    await recordAudit(db, {
      actor,
      event: "connection_connect_failed",
      outcome: "failure",
      organizationId: link.organizationId,
      connectionId: link.connectionId,
      apicbaseError: key,
    });
    return result(link.id, key);
  }
}
