import "server-only";
import { eq } from "drizzle-orm";
import { headers } from "next/headers";
import { apicbaseWebBase, resolveApicbaseSettings } from "@/lib/apicbase/config";
import { clientForApplication, ensureEnvironmentApplication } from "@/lib/connections/applications";
import { getKeyring } from "@/lib/connections/keyring";
import { sandboxResetSinceTokens } from "@/lib/connections/sandbox-reset";
import { sandboxResetMessage } from "@/lib/messages/sandbox";
import { latestReauthorizationRefusal, refusalMessage, REFUSAL_SHOWN_MS } from "@/lib/connections/refusals";
import type { ConnectionContext } from "@/lib/connections/service";
import { connections, getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { processId } from "@/lib/lifecycle/process-id";
import { recordId } from "@/lib/forms";
import { PORTAL_URL_REQUIRED } from "@/lib/production-checks";
import { requestOrigin } from "@/lib/request-origin";
import type { PortalUser } from "./session";

/** This process's web requests in refresh leases: readable when debugging, one per process (shared by bundles). */
const LEASE_OWNER = `web:${processId()}`;

export async function connectionContext(user: PortalUser): Promise<ConnectionContext> {
  const { db } = await getDb();
  const keyring = getKeyring();
  const settings = resolveApicbaseSettings(env());
  return {
    db,
    keyring,
    clientFor: (applicationId) => clientForApplication(db, keyring, settings, applicationId),
    now: () => new Date(),
    actor: { id: user.id, email: user.email },
    leaseOwner: LEASE_OWNER,
  };
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
