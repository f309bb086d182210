import { NextResponse, type NextRequest } from "next/server";
import { getKeyring } from "@/lib/connections/keyring";
import { CONNECT_COOKIE, openIntent } from "@/lib/connections/intent";
import type { ConnectErrorKey } from "@/lib/connections/notices";
import { connectWithCode } from "@/lib/connections/service";
import { completeLinkApproval, isLinkApproval } from "@/lib/dal/connect-flows";
import {
  CONNECT_CALLBACK_PATH,
  canActFor,
  connectionContext,
  portalOrigin,
  recordConnectFailure,
} from "@/lib/dal/connections";
import { getCurrentUser } from "@/lib/dal/session";
import {
  LINK_RESULT_COOKIE,
  LINK_RESULT_PATH,
  LINK_RESULT_TTL_MS,
  sealLinkResult,
} from "@/lib/connections/link-result";

export const dynamic = "force-dynamic";

/** Where Apicbase sends the browser back after "Connect a library", "Re-authorize" or an authorization link. */
export async function GET(request: NextRequest) {
  const origin = await portalOrigin();
  if (await isLinkApproval(request.nextUrl.searchParams.get("state"))) return linkCallback(request, origin);
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
      `/connections?${new URLSearchParams({
        ...(organizationId ? { organization: organizationId } : {}),
        connect_error: error,
      })}`,
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
    const key = await recordConnectFailure(ctx, intent, error);
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
 * The approval of someone holding an authorization link (lib/dal/connect-flows.ts). The outcome travels sealed in a
 * short-lived cookie the result page reads once, never in the URL: a crafted /authorize/result?outcome=connected
 * must not tell anyone that their library is connected.
 */
async function linkCallback(request: NextRequest, origin: string) {
  const { linkId, outcome } = await completeLinkApproval(
    request.nextUrl.searchParams,
    `${origin}${CONNECT_CALLBACK_PATH}`,
  );
  const response = NextResponse.redirect(new URL(LINK_RESULT_PATH, origin), 303);
  response.cookies.set(LINK_RESULT_COOKIE, sealLinkResult(getKeyring(), { linkId, outcome, createdAt: Date.now() }), {
    httpOnly: true,
    sameSite: "lax",
    secure: origin.startsWith("https:"),
    path: LINK_RESULT_PATH,
    maxAge: LINK_RESULT_TTL_MS / 1000,
  });
  return response;
}
