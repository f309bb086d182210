"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { countConnectStart } from "@/lib/attempts/starts";
import { getKeyring } from "@/lib/connections/keyring";
import { OOB_REDIRECT_URI } from "@/lib/apicbase/client";
import {
  CONNECT_COOKIE,
  CONNECT_INTENT_TTL_MS,
  MANUAL_CODE_COOKIE,
  MANUAL_CODE_PATH,
  sealIntent,
  sealManualIntent,
} from "@/lib/connections/intent";
import { connectErrorKey } from "@/lib/connections/notices";
import { disconnectConnection, revokeReason } from "@/lib/connections/revoke";
import { verifyConnection } from "@/lib/connections/service";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import {
  CONNECT_CALLBACK_PATH,
  connectionApplication,
  connectionContext,
  environmentApplication,
  portalOrigin,
  sandboxResetMessageFor,
} from "@/lib/dal/connections";
import { applicationsForNewConnections } from "@/lib/dal/applications";
import { action, redirectAction } from "@/lib/dal/actions";
import type { PortalUser } from "@/lib/dal/session";
import { recordId, type ActionResult } from "@/lib/forms";
import { describeConnection } from "@/lib/messages/connections";
import { formatAbsolute } from "@/lib/time";

export type ConnectionActionResult = ActionResult<"connectionId" | "reason"> & {
  /** For "Verify": what Apicbase said next to what the portal holds. */
  verification?: {
    active: boolean;
    scopes: string[] | null;
    serverExpiresAt: string | null;
    portalExpiresAt: string | null;
    activeLibrary: { id: number; name: string } | null;
  };
  /** Done, but with something left for a person to do (a grant Apicbase could not revoke): shown as a warning. */
  warning?: boolean;
};

const refused = (message: string): ConnectionActionResult => ({ ok: false, message, fieldErrors: {} });
const connectionForm = z.object({ connectionId: z.string() });

export const refreshConnectionAction = action(
  { name: "refresh_connection", owns: "connection", schema: connectionForm, notAllowedField: "connectionId" },
  async (ctx): Promise<ConnectionActionResult> => {
    const result = await refreshConnection(await connectionContext(ctx.user), ctx);
    if (!result.ok) {
      // Apicbase refusing the grant is no revocation when the sandbox started over after the portal got the tokens.
      const dead =
        result.apicbaseError === "invalid_grant" || ("needsReauthorization" in result && result.needsReauthorization);
      const reset = dead ? await sandboxResetMessageFor(ctx.user, ctx.connectionId) : null;
      return refused(reset ?? describeConnection(result));
    }
    const until = formatAbsolute(result.expiresAt);
    if (!result.refreshed) {
      // Another refresh (a click, the background refresher) stored a pair moments ago: nothing to gain from another.
      return {
        ok: true,
        message:
          "Not refreshed again: this connection got a new token pair less than a minute ago, " +
          `valid until ${until}.`,
      };
    }
    return { ok: true, message: `Refreshed: a new token pair is stored, valid until ${until}.` };
  },
);

export const verifyConnectionAction = action(
  { name: "verify_connection", owns: "connection", schema: connectionForm, notAllowedField: "connectionId" },
  async (ctx): Promise<ConnectionActionResult> => {
    const result = await verifyConnection(await connectionContext(ctx.user), ctx);
    if (!result.ok) return refused(describeConnection(result));
    const verification = {
      active: result.active,
      scopes: result.scopes,
      serverExpiresAt: result.serverExpiresAt?.toISOString() ?? null,
      portalExpiresAt: result.portalExpiresAt?.toISOString() ?? null,
      activeLibrary: result.activeLibrary,
    };
    // A token that works but reaches another library is no success to celebrate: shown as a warning.
    if (result.active)
      return {
        ok: true,
        message: describeConnection(result),
        verification,
        ...(result.drift ? { warning: true } : {}),
      };
    const expired = result.portalExpiresAt !== null && result.portalExpiresAt.getTime() <= Date.now();
    // In the local sandbox, tokens it forgot in a reset are not "revoked": say what happened.
    const reset = expired ? null : await sandboxResetMessageFor(ctx.user, ctx.connectionId);
    return { ok: false, message: reset ?? describeConnection(result), fieldErrors: {}, verification };
  },
);

/** "Revoke" (partners their own connections, admins any connection): a reason is required. */
export const disconnectConnectionAction = action(
  {
    name: "revoke_connection",
    owns: "connection",
    schema: z.object({ connectionId: z.string(), reason: revokeReason }),
    invalid: "Nothing was changed: say why the connection is revoked.",
    notAllowedField: "connectionId",
  },
  async (ctx, { reason }): Promise<ConnectionActionResult> => {
    const result = await disconnectConnection(await connectionContext(ctx.user), { ...ctx, reason });
    const message = describeConnection(result);
    if (!result.ok) return refused(message);
    return { ok: true, message, ...(result.revocation === "revoked" ? {} : { warning: true }) };
  },
);

async function beginAuthorization(
  user: PortalUser,
  args: { organizationId: string; applicationId: string; scopes: string[]; reauthorizeConnectionId?: string },
) {
  const ctx = await connectionContext(user);
  const client = await ctx.clientFor(args.applicationId);
  const redirectUri = `${await portalOrigin()}${CONNECT_CALLBACK_PATH}`;
  const request = await client.createAuthorizationRequest({ redirectUri, scopes: args.scopes });
  (await cookies()).set(
    CONNECT_COOKIE,
    sealIntent(getKeyring(), {
      state: request.state,
      codeVerifier: request.codeVerifier,
      userId: user.id,
      organizationId: args.organizationId,
      applicationId: args.applicationId,
      redirectUri,
      scopes: args.scopes,
      reauthorizeConnectionId: args.reauthorizeConnectionId,
      createdAt: Date.now(),
    }),
    {
      httpOnly: true,
      sameSite: "lax",
      secure: redirectUri.startsWith("https:"),
      path: "/api/connect",
      maxAge: CONNECT_INTENT_TTL_MS / 1000,
    },
  );
  return request.url;
}

/**
 * An application without a redirect URL: Apicbase shows the code on its own page, so the attempt (PKCE verifier,
 * authorize link) waits in an encrypted cookie of the manual code page, where the user pastes the code.
 */
async function beginManualAuthorization(
  user: PortalUser,
  args: { organizationId: string; applicationId: string; scopes: string[]; reauthorizeConnectionId?: string },
) {
  const ctx = await connectionContext(user);
  const client = await ctx.clientFor(args.applicationId);
  const request = await client.createAuthorizationRequest({ redirectUri: OOB_REDIRECT_URI, scopes: args.scopes });
  (await cookies()).set(
    MANUAL_CODE_COOKIE,
    sealManualIntent(getKeyring(), {
      state: request.state,
      codeVerifier: request.codeVerifier,
      userId: user.id,
      organizationId: args.organizationId,
      applicationId: args.applicationId,
      redirectUri: OOB_REDIRECT_URI,
      scopes: args.scopes,
      reauthorizeConnectionId: args.reauthorizeConnectionId,
      authorizeUrl: request.url,
      createdAt: Date.now(),
    }),
    {
      httpOnly: true,
      sameSite: "lax",
      secure: (await portalOrigin()).startsWith("https:"),
      path: MANUAL_CODE_PATH,
      maxAge: CONNECT_INTENT_TTL_MS / 1000,
    },
  );
  return MANUAL_CODE_PATH;
}

/**
 * "Connect a library": with the environment's application unless another enabled one is chosen; off to Apicbase's
 * consent page, or, for an application without a redirect URL, to the page where the user pastes Apicbase's code.
 */
export const startConnectAction = redirectAction(
  {
    name: "start_connect",
    owns: "organization",
    schema: z.object({ organizationId: recordId, applicationId: z.string().optional() }),
    notAllowed: "/connections?connect_error=not_allowed",
  },
  async ({ user, organizationId }, { applicationId: requested }) => {
    if (!(await countConnectStart()).allowed)
      redirect(`/connections?organization=${organizationId}&connect_error=too_many_starts`);
    let url: string | null;
    try {
      const app = requested
        ? (await applicationsForNewConnections(user)).find((candidate) => candidate.id === requested)
        : await environmentApplication();
      const args = app && { organizationId, applicationId: app.id, scopes: app.scopes };
      url = !args
        ? null
        : app.redirectMode === "oob"
          ? await beginManualAuthorization(user, args)
          : await beginAuthorization(user, args);
    } catch (error) {
      redirect(`/connections?organization=${organizationId}&connect_error=${connectErrorKey(error)}`);
    }
    redirect(url ?? `/connections?organization=${organizationId}&connect_error=application_unavailable`);
  },
);

/** "Re-authorize": the flow again for an existing connection, with the application that holds its tokens. */
export const reauthorizeConnectionAction = redirectAction(
  {
    name: "reauthorize_connection",
    owns: "connection",
    schema: z.object({ connectionId: z.string() }),
    notAllowed: "/connections?connect_error=not_found",
  },
  async ({ user, organizationId, connectionId }) => {
    const row = await connectionApplication(user, connectionId);
    if (!row) redirect(`/connections?connect_error=not_found`);
    if (!(await countConnectStart()).allowed) redirect(`/connections/${connectionId}?connect_error=too_many_starts`);
    let url: string;
    try {
      const args = {
        organizationId,
        applicationId: row.applicationId,
        scopes: row.scopes,
        reauthorizeConnectionId: connectionId,
      };
      url =
        row.redirectMode === "oob" ? await beginManualAuthorization(user, args) : await beginAuthorization(user, args);
    } catch (error) {
      redirect(`/connections/${connectionId}?connect_error=${connectErrorKey(error)}`);
    }
    redirect(url);
  },
);
