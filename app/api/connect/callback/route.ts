import { NextResponse, type NextRequest } from "next/server";
import { recordAudit } from "@/lib/audit";
import { getKeyring } from "@/lib/connections/keyring";
import { CONNECT_COOKIE, openIntent } from "@/lib/connections/intent";
import { connectErrorKey, type ConnectErrorKey } from "@/lib/connections/notices";
import { completeAuthorization } from "@/lib/connections/service";
import { canActFor, connectionContext, portalOrigin } from "@/lib/dal/connections";
import { getCurrentUser } from "@/lib/dal/session";

export const dynamic = "force-dynamic";

/** Where Apicbase sends the browser back after "Connect a library" or "Re-authorize". */
export async function GET(request: NextRequest) {
  const origin = await portalOrigin();
  const user = await getCurrentUser();
  const back = (path: string) => {
    const response = NextResponse.redirect(new URL(path, origin), 303);
    response.cookies.delete({ name: CONNECT_COOKIE, path: "/api/connect" });
    return response;
  };
  if (!user) return back("/signin");

  const intent = openIntent(getKeyring(), request.cookies.get(CONNECT_COOKIE)?.value, Date.now());
  const list = (organizationId: string | undefined, error: ConnectErrorKey) =>
    back(`/connections?${new URLSearchParams({ ...(organizationId ? { organization: organizationId } : {}), connect_error: error })}`);
  if (!intent || intent.userId !== user.id) return list(undefined, "expired_attempt");
  if (!canActFor(user, intent.organizationId)) return list(undefined, "not_allowed");

  const ctx = await connectionContext(user);
  const client = await ctx.clientFor(intent.applicationId);
  let result;
  try {
    const { code } = client.parseAuthorizationResponse(request.nextUrl.searchParams, intent.state);
    const tokens = await client.exchangeCode({ code, redirectUri: intent.redirectUri, codeVerifier: intent.codeVerifier, scopes: intent.scopes });
    let library;
    try {
      library = await client.getActiveLibrary(tokens.accessToken);
    } catch (error) {
      // Without the library there is nothing to file the tokens under: hand the grant back.
      await client.revoke(tokens.refreshToken, "refresh_token").catch(() => undefined);
      throw error;
    }
    result = await completeAuthorization(ctx, {
      organizationId: intent.organizationId,
      applicationId: intent.applicationId,
      tokens,
      library,
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
    if (result.reason === "library_mismatch") return back(`/connections/${result.connectionId}?connect_error=library_mismatch`);
    return list(intent.organizationId, "not_found");
  }
  return back(`/connections/${result.connectionId}?notice=${result.outcome}`);
}
