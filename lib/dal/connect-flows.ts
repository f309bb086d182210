import "server-only";
import { and, eq } from "drizzle-orm";
import { cookies } from "next/headers";
import { getKeyring } from "@/lib/connections/keyring";
import { MANUAL_CODE_COOKIE, openManualIntent } from "@/lib/connections/intent";
import { IMPORT_COOKIE, openPendingImport } from "@/lib/connections/token-import";
import { applications, connections, getDb } from "@/lib/db";
import { canActFor } from "./connections";
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

/** The manual code attempt this browser started, if it belongs to this user and they may still act for its organization. */
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
