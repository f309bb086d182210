import "server-only";
import { and, eq } from "drizzle-orm";
import { cookies } from "next/headers";
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { recordAudit } from "@/lib/audit";
import { clientForApplication } from "@/lib/connections/applications";
import { beginLinkAuthorization, claimLinkByState, finishLink, findLink, isLinkState } from "@/lib/connections/links";
import { connectWithCode } from "@/lib/connections/service";
import { getKeyring } from "@/lib/connections/keyring";
import { MANUAL_CODE_COOKIE, openManualIntent } from "@/lib/connections/intent";
import {
  IMPORT_COOKIE,
  inspectImport,
  openPendingImport,
  type ImportDecision,
  type PendingImport,
} from "@/lib/connections/token-import";
import { applications, connections, getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { applicationsForNewConnections } from "./applications";
import { canActFor, newConnectionContext, recordConnectFailure } from "./connections";
import { actorOf } from "./actor";
import type { PortalUser } from "./session";

async function applicationName(applicationId: string): Promise<string | null> {
  const { db } = await getDb();
  const [row] = await db
    .select({ name: applications.name })
    .from(applications)
    .where(eq(applications.id, applicationId));
  return row?.name ?? null;
}

export type ManualCodeAttempt = {
  organizationId: string;
  applicationName: string;
  /** Not a secret: client id, scopes, state and the PKCE challenge, as the browser sends them to Apicbase anyway. */
  authorizeUrl: string;
  reauthorizing: { connectionId: string; libraryName: string } | null;
};

/**
 * The manual code attempt this browser started, if it belongs to this user and they may still act for its organization.
 */
export async function manualCodeAttempt(user: PortalUser): Promise<ManualCodeAttempt | null> {
  const intent = openManualIntent(getKeyring(), (await cookies()).get(MANUAL_CODE_COOKIE)?.value, Date.now());
  if (!intent || intent.userId !== user.id || !canActFor(user, intent.organizationId)) return null;
  const name = await applicationName(intent.applicationId);
  if (!name) return null;
  let reauthorizing: ManualCodeAttempt["reauthorizing"] = null;
  if (intent.reauthorizeConnectionId) {
    const { db } = await getDb();
    const [row] = await db
      .select({ libraryName: connections.libraryName })
      .from(connections)
      .where(
        and(eq(connections.id, intent.reauthorizeConnectionId), eq(connections.organizationId, intent.organizationId)),
      );
    if (!row) return null;
    reauthorizing = { connectionId: intent.reauthorizeConnectionId, libraryName: row.libraryName };
  }
  return {
    organizationId: intent.organizationId,
    applicationName: name,
    authorizeUrl: intent.authorizeUrl,
    reauthorizing,
  };
}

/** What a checked token import found, for the confirmation page: never the tokens. */
export type PendingImportView = {
  applicationName: string;
  library: { id: number; name: string };
  user: { name: string; email: string };
  username: string | null;
  scopes: string[];
  expiresAt: Date;
  refreshed: boolean;
  /** The organization already has a connection for this library: storing updates it in place. */
  existingConnectionId: string | null;
};

export async function pendingImportView(user: PortalUser, organizationId: string): Promise<PendingImportView | null> {
  const pending = openPendingImport(getKeyring(), (await cookies()).get(IMPORT_COOKIE)?.value, Date.now());
  if (
    !pending ||
    pending.userId !== user.id ||
    pending.organizationId !== organizationId ||
    !canActFor(user, organizationId)
  )
    return null;
  const name = await applicationName(pending.applicationId);
  if (!name) return null;
  const { db } = await getDb();
  const [existing] = await db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.organizationId, organizationId), eq(connections.libraryId, pending.library.id)));
  const { firstName, lastName, email } = pending.library.user;
  return {
    applicationName: name,
    library: { id: pending.library.id, name: pending.library.name },
    user: { name: `${firstName} ${lastName}`.trim() || email, email },
    username: pending.username,
    scopes: pending.scopes,
    expiresAt: new Date(pending.expiresAt),
    refreshed: pending.refreshed,
    existingConnectionId: existing?.id ?? null,
  };
}

/**
 * Asks Apicbase, as the chosen application, about a pasted token pair; the other enabled applications are asked
 * only whether they recognize the access token (to name the right one). A refusal is audited. Null when the chosen
 * application is disabled or gone.
 */
export async function checkTokenImport(
  user: PortalUser,
  input: { organizationId: string; applicationId: string; accessToken: string; refreshToken: string },
  now: Date,
): Promise<{ decision: ImportDecision; applicationId: string } | null> {
  const applications = await applicationsForNewConnections(user);
  const chosen = applications.find((application) => application.id === input.applicationId);
  if (!chosen || !canActFor(user, input.organizationId)) return null;
  const { db } = await getDb();
  const keyring = getKeyring();
  const settings = resolveApicbaseSettings(env());
  const clientOf = (applicationId: string) => clientForApplication(db, keyring, settings, applicationId);
  const decision = await inspectImport({
    client: await clientOf(chosen.id),
    applicationName: chosen.name,
    others: applications
      .filter((application) => application.id !== chosen.id)
      .map((application) => ({
        name: application.name,
        introspect: async (token: string) => (await clientOf(application.id)).introspect(token),
      })),
    accessToken: input.accessToken,
    refreshToken: input.refreshToken,
    now,
  });
  if (!decision.ok) {
    await recordAudit(db, {
      actor: actorOf(user),
      event: "connection_import_refused",
      outcome: "failure",
      organizationId: input.organizationId,
      apicbaseError: decision.code,
      detail: { applicationId: chosen.id, reason: decision.reason },
    });
  }
  return { decision, applicationId: chosen.id };
}

/** A cancelled import whose pair the portal refreshed exists nowhere else: it is handed back to Apicbase. */
export async function revokeCancelledImport(user: PortalUser, pending: PendingImport): Promise<void> {
  if (pending.userId !== user.id || !pending.refreshed || !canActFor(user, pending.organizationId)) return;
  const { db } = await getDb();
  const client = await clientForApplication(
    db,
    getKeyring(),
    resolveApicbaseSettings(env()),
    pending.applicationId,
  ).catch(() => null);
  await client?.revoke(pending.refreshToken, "refresh_token").catch(() => undefined);
}

/**
 * "Continue to Apicbase" on an authorization link's page: the link itself is the authorization (no portal account
 * needed). The URL of Apicbase's consent page, or null when the link is no longer open.
 */
export async function beginLinkApproval(token: string, redirectUri: string): Promise<string | null> {
  const { db } = await getDb();
  const now = new Date();
  const link = await findLink(db, token, now);
  if (!link || link.state !== "open") return null;
  const [app] = await db
    .select({ scopes: applications.scopes })
    .from(applications)
    .where(eq(applications.id, link.applicationId));
  const keyring = getKeyring();
  const client = await clientForApplication(db, keyring, resolveApicbaseSettings(env()), link.applicationId);
  return beginLinkAuthorization(db, keyring, client, {
    token,
    redirectUri,
    scopes: app?.scopes ?? ["accounts", "library"],
    now,
  });
}

/** Whether Apicbase's `state` belongs to an authorization link's approval rather than a signed-in user's connect. */
export async function isLinkApproval(state: string | null): Promise<boolean> {
  const { db } = await getDb();
  return isLinkState(db, state);
}

/**
 * The approval of someone holding an authorization link (typically the library owner, with no portal account):
 * the link, not a session, says which organization and connection the approval is for. Single use; a failure at
 * Apicbase releases the link for another try. What happened, as an outcome for the result page.
 */
export async function completeLinkApproval(
  params: URLSearchParams,
  redirectUri: string,
): Promise<{ linkId: string | null; outcome: string }> {
  const { db } = await getDb();
  const keyring = getKeyring();
  const link = await claimLinkByState(db, keyring, params.get("state") ?? "", new Date());
  if (!link) return { linkId: null, outcome: "expired_attempt" };
  const client = await clientForApplication(db, keyring, resolveApicbaseSettings(env()), link.applicationId);
  const ctx = await newConnectionContext({
    actor: { system: `authorization link${link.customerLabel ? ` for ${link.customerLabel}` : ""}` },
    leaseOwner: "authorization-link",
    clientFor: async () => client,
  });
  try {
    const { code } = client.parseAuthorizationResponse(params, params.get("state") ?? "");
    const completed = await connectWithCode(ctx, client, {
      code,
      redirectUri,
      codeVerifier: link.codeVerifier,
      organizationId: link.organizationId,
      applicationId: link.applicationId,
      reauthorizeConnectionId: link.connectionId ?? undefined,
    });
    if (!completed.ok) {
      await finishLink(db, link.id, { release: true });
      return { linkId: link.id, outcome: completed.reason === "library_mismatch" ? "library_mismatch" : "not_found" };
    }
    await finishLink(db, link.id, {
      connectionId: completed.connectionId,
      outcome: completed.outcome,
      library: { id: completed.libraryId, name: completed.libraryName },
      approvedBy: completed.approvedBy,
    });
    return { linkId: link.id, outcome: completed.outcome };
  } catch (error) {
    // Nothing was stored: the link may be used again (e.g. after cancelling by mistake).
    await finishLink(db, link.id, { release: true });
    const key = await recordConnectFailure(
      ctx,
      { organizationId: link.organizationId, reauthorizeConnectionId: link.connectionId },
      error,
    );
    return { linkId: link.id, outcome: key };
  }
}
