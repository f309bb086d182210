import "server-only";
import { eq } from "drizzle-orm";
import { headers } from "next/headers";
import { apicbaseWebBase, resolveApicbaseSettings } from "@/lib/apicbase/config";
import { ensureEnvironmentApplication } from "@/lib/connections/applications";
import { connectErrorKey, type ConnectErrorKey } from "@/lib/connections/notices";
import { recordAudit } from "@/lib/audit";
import {
  applicationClients,
  createConnectionContext,
  type ClientSource,
  type ConnectionContext,
} from "@/lib/connections/context";
import type { AuditActor } from "@/lib/audit";
import { getKeyring } from "@/lib/connections/keyring";
import { sandboxResetSinceTokens } from "@/lib/connections/sandbox-reset";
import { sandboxResetMessage } from "@/lib/messages/sandbox";
import { latestReauthorizationRefusal, REFUSAL_SHOWN_MS } from "@/lib/connections/refusals";
import { refusalMessage } from "@/lib/messages/connections";
import { applications, connections, getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { processId } from "@/lib/lifecycle/process-id";
import { recordId } from "@/lib/forms";
import { PORTAL_URL_REQUIRED } from "@/lib/production-checks";
import { requestOrigin } from "@/lib/request-origin";
import { actorOf } from "./actor";
import type { PortalUser } from "./session";

/** This process's web requests in refresh leases: readable when debugging, one per process (shared by bundles). */
const LEASE_OWNER = `web:${processId()}`;

/** A connection context for this web request; its clients are read afresh from the database. */
export async function newConnectionContext(args: {
  actor: AuditActor;
  leaseOwner: string;
  clientFor?: ClientSource;
}): Promise<ConnectionContext> {
  const { db } = await getDb();
  const keyring = getKeyring();
  return createConnectionContext({
    db,
    keyring,
    clientFor: args.clientFor ?? applicationClients(db, keyring, resolveApicbaseSettings(env())),
    actor: args.actor,
    leaseOwner: args.leaseOwner,
  });
}

/** What lib/connections needs to act on connections for a signed-in user. */
export async function connectionContext(user: PortalUser): Promise<ConnectionContext> {
  return newConnectionContext({ actor: actorOf(user), leaseOwner: LEASE_OWNER });
}

/** A connect attempt that failed at Apicbase (or on its way back), in the audit log; the key the page shows for it. */
export async function recordConnectFailure(
  ctx: ConnectionContext,
  intent: { organizationId: string; reauthorizeConnectionId?: string | null },
  error: unknown,
  detail?: Record<string, string>,
): Promise<ConnectErrorKey> {
  const key = connectErrorKey(error);
  await recordAudit(ctx.db, {
    actor: ctx.actor,
    event: "connection_connect_failed",
    outcome: "failure",
    organizationId: intent.organizationId,
    connectionId: intent.reauthorizeConnectionId ?? null,
    apicbaseError: key,
    ...(detail ? { detail } : {}),
  });
  return key;
}

export async function environmentApplication() {
  const { db } = await getDb();
  return ensureEnvironmentApplication(db, resolveApicbaseSettings(env()));
}

/** The organizations whose connections this user may act on: their own, or any for an admin. */
export function canActFor(user: PortalUser, organizationId: string): boolean {
  return user.isAdmin || user.memberships.some((m) => m.organizationId === organizationId);
}

/**
 * The organization owning a connection, if this user may act on it; null otherwise (also for ids that are not
 * connections), so the answer never tells whether another organization's connection exists.
 */
export async function connectionOwner(user: PortalUser, connectionId: string): Promise<string | null> {
  if (!recordId.safeParse(connectionId).success) return null;
  const { db } = await getDb();
  const [row] = await db
    .select({ organizationId: connections.organizationId })
    .from(connections)
    .where(eq(connections.id, connectionId));
  if (!row || !canActFor(user, row.organizationId)) return null;
  return row.organizationId;
}

/**
 * The application holding a connection's tokens, with what re-authorizing needs: its scopes and redirect mode. Null
 * when the user may not act on the connection (or it is gone).
 */
export async function connectionApplication(user: PortalUser, connectionId: string) {
  if (!recordId.safeParse(connectionId).success) return null;
  const { db } = await getDb();
  const [row] = await db
    .select({
      organizationId: connections.organizationId,
      applicationId: connections.applicationId,
      libraryName: connections.libraryName,
      scopes: applications.scopes,
      redirectMode: applications.redirectMode,
    })
    .from(connections)
    .innerJoin(applications, eq(applications.id, connections.applicationId))
    .where(eq(connections.id, connectionId));
  return row && canActFor(user, row.organizationId) ? row : null;
}

/** The portal's own origin, for the redirect URI Apicbase sends the browser back to. */
export async function portalOrigin(): Promise<string> {
  const config = env();
  if (config.PORTAL_URL) return new URL(config.PORTAL_URL).origin;
  // Never reached in production (instrumentation.ts refuses to start without PORTAL_URL); a second line of defence.
  if (config.NODE_ENV === "production") throw new Error(PORTAL_URL_REQUIRED);
  return requestOrigin(await headers(), { trustProxy: config.TRUST_PROXY === "1" });
}

export const CONNECT_CALLBACK_PATH = "/api/connect/callback";

/**
 * The sentence for a re-authorization refused in the last minutes because the approver had another library active:
 * who approved and with which library. Null when there is none or the user may not see the connection.
 */
export async function reauthorizationRefusalMessage(user: PortalUser, connectionId: string): Promise<string | null> {
  if (!(await connectionOwner(user, connectionId))) return null;
  const { db } = await getDb();
  const [connection] = await db
    .select({ libraryId: connections.libraryId, libraryName: connections.libraryName })
    .from(connections)
    .where(eq(connections.id, connectionId));
  const refusal = await latestReauthorizationRefusal(db, connectionId, new Date(Date.now() - REFUSAL_SHOWN_MS));
  return connection && refusal ? refusalMessage(refusal, connection) : null;
}

/**
 * With the bundled sandbox only: the sentence saying the sandbox was reset after this connection got its tokens
 * (so Apicbase's "inactive" or invalid_grant is no revocation). Null otherwise, or for someone else's connection.
 */
export async function sandboxResetMessageFor(user: PortalUser, connectionId: string): Promise<string | null> {
  if (!(await connectionOwner(user, connectionId))) return null;
  const settings = resolveApicbaseSettings(env());
  if (settings.target !== "sandbox") return null;
  const { db } = await getDb();
  const since = await sandboxResetSinceTokens(db, connectionId, apicbaseWebBase(env(), settings));
  return since ? sandboxResetMessage(since) : null;
}

/**
 * The token API's single read, without its checks: only for `npm run bench:token-api`'s baseline route, which
 * answers 404 unless the benchmark started the portal. Never a token.
 */
export async function connectionExpiry(connectionId: string) {
  const { db } = await getDb();
  const [row] = await db
    .select({ id: connections.id, expiresAt: connections.accessTokenExpiresAt })
    .from(connections)
    .where(eq(connections.id, connectionId));
  return row;
}
