import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, isNotNull, isNull } from "drizzle-orm";
import { OOB_REDIRECT_URI } from "@/lib/apicbase/client";
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { checkCredentials } from "@/lib/applications/credentials-check";
import { recordAudit } from "@/lib/audit";
import { clientForApplication } from "@/lib/connections/applications";
import { getKeyring } from "@/lib/connections/keyring";
import { sealClientSecret } from "@/lib/connections/tokens";
import { SecretDecryptionError } from "@/lib/crypto/secrets";
import {
  applications,
  connections,
  getDb,
  type ApplicationCredentialsCheck,
  type ApplicationRedirectMode,
  type ApplicationSource,
} from "@/lib/db";
import { env } from "@/lib/env";
import { CONNECT_CALLBACK_PATH, environmentApplication, portalOrigin } from "./connections";
import { actorOf } from "./actor";
import type { Admin, PortalUser } from "./session";

/** What the admin page shows of an application: never the secret, nor its ciphertext. */
export type ApplicationView = {
  id: string;
  name: string;
  clientId: string;
  source: ApplicationSource;
  redirectMode: ApplicationRedirectMode;
  scopes: string[];
  disabledAt: Date | null;
  createdAt: Date;
  credentialsCheck: ApplicationCredentialsCheck | null;
  connectionCount: number;
};

/** A stable sort key: the environment's application before the registered ones, which stay in name order. */
const environmentFirst = (a: { source: ApplicationSource }, b: { source: ApplicationSource }) =>
  a.source === b.source ? 0 : a.source === "environment" ? -1 : 1;

const viewColumns = {
  id: applications.id,
  name: applications.name,
  clientId: applications.clientId,
  source: applications.source,
  redirectMode: applications.redirectMode,
  scopes: applications.scopes,
  disabledAt: applications.disabledAt,
  createdAt: applications.createdAt,
  credentialsCheck: applications.credentialsCheck,
};

/** The application from the environment first, then the registered ones by name, each with its connection count. */
export async function listApplications(_admin: Admin): Promise<ApplicationView[]> {
  // The environment's row is created on first use; make sure it is listed before anyone connected with it.
  await environmentApplication();
  const { db } = await getDb();
  const [rows, counts] = await Promise.all([
    db.select(viewColumns).from(applications).orderBy(asc(applications.name), asc(applications.createdAt)),
    db
      .select({ applicationId: connections.applicationId, n: count() })
      .from(connections)
      .groupBy(connections.applicationId),
  ]);
  const byApplication = new Map(counts.map((row) => [row.applicationId, row.n]));
  return rows.map((row) => ({ ...row, connectionCount: byApplication.get(row.id) ?? 0 })).sort(environmentFirst);
}

/** The applications a new connection may use: enabled ones. For the connect flow (any signed-in member). */
export async function applicationsForNewConnections(
  _user: PortalUser,
): Promise<Pick<ApplicationView, "id" | "name" | "redirectMode" | "scopes">[]> {
  await environmentApplication();
  const { db } = await getDb();
  const rows = await db
    .select({
      id: applications.id,
      name: applications.name,
      redirectMode: applications.redirectMode,
      scopes: applications.scopes,
      source: applications.source,
    })
    .from(applications)
    .where(isNull(applications.disabledAt))
    .orderBy(asc(applications.name));
  return rows.sort(environmentFirst).map(({ source: _source, ...application }) => application);
}

export type RegisterApplicationInput = {
  name: string;
  clientId: string;
  clientSecret: string;
  redirectMode: ApplicationRedirectMode;
  scopes: string[];
};

export type RegisterOutcome = { outcome: "registered"; id: string } | { outcome: "client_id_taken"; takenBy: string };

/** Stores a new application; its secret is encrypted with the new row's id as associated data before it is written. */
export async function registerApplication(admin: Admin, input: RegisterApplicationInput): Promise<RegisterOutcome> {
  const { db } = await getDb();
  const id = randomUUID();
  const clientSecretCiphertext = sealClientSecret(getKeyring(), id, input.clientSecret);
  return db.transaction(async (tx) => {
    // The unique client id decides, so two admins registering the same application at once get one row.
    const [created] = await tx
      .insert(applications)
      .values({
        id,
        name: input.name,
        clientId: input.clientId,
        clientSecretCiphertext,
        redirectMode: input.redirectMode,
        scopes: input.scopes,
        source: "registered",
      })
      .onConflictDoNothing({ target: applications.clientId })
      .returning({ id: applications.id });
    if (!created) {
      const [existing] = await tx
        .select({ name: applications.name })
        .from(applications)
        .where(eq(applications.clientId, input.clientId));
      return { outcome: "client_id_taken" as const, takenBy: existing?.name ?? "another application" };
    }
    await recordAudit(tx, {
      actor: actorOf(admin),
      event: "application_registered",
      outcome: "success",
      detail: {
        applicationId: id,
        name: input.name,
        clientId: input.clientId,
        redirectMode: input.redirectMode,
        scopes: input.scopes,
      },
    });
    return { outcome: "registered" as const, id };
  });
}

export type ReplaceSecretOutcome = "replaced" | "same_as_client_id" | "not_found";

/**
 * Replaces a registered application's secret in one statement: a refresh already under way finishes with the old
 * one, every later call uses the new one. The last credentials test no longer applies, so it is cleared.
 */
export async function replaceApplicationSecret(
  admin: Admin,
  applicationId: string,
  secret: string,
): Promise<ReplaceSecretOutcome> {
  const { db } = await getDb();
  const clientSecretCiphertext = sealClientSecret(getKeyring(), applicationId, secret);
  return db.transaction(async (tx) => {
    const [app] = await tx
      .select({ clientId: applications.clientId, name: applications.name })
      .from(applications)
      .where(and(eq(applications.id, applicationId), eq(applications.source, "registered")))
      .for("update");
    if (!app) return "not_found";
    if (app.clientId === secret) return "same_as_client_id";
    await tx
      .update(applications)
      .set({ clientSecretCiphertext, credentialsCheck: null })
      .where(eq(applications.id, applicationId));
    await recordAudit(tx, {
      actor: actorOf(admin),
      event: "application_secret_replaced",
      outcome: "success",
      detail: { applicationId, name: app.name, clientId: app.clientId },
    });
    return "replaced";
  });
}

export type AvailabilityOutcome =
  { outcome: "changed"; name: string } | { outcome: "unchanged"; name: string } | { outcome: "not_found" };

/** Disabling keeps an application's connections (only it can refresh them); new connections cannot choose it. */
export async function setApplicationDisabled(
  admin: Admin,
  applicationId: string,
  disabled: boolean,
): Promise<AvailabilityOutcome> {
  const { db } = await getDb();
  return db.transaction(async (tx) => {
    const [changed] = await tx
      .update(applications)
      .set({ disabledAt: disabled ? new Date() : null })
      .where(
        and(
          eq(applications.id, applicationId),
          eq(applications.source, "registered"),
          disabled ? isNull(applications.disabledAt) : isNotNull(applications.disabledAt),
        ),
      )
      .returning({ name: applications.name, clientId: applications.clientId });
    if (!changed) {
      const [existing] = await tx
        .select({ name: applications.name })
        .from(applications)
        .where(and(eq(applications.id, applicationId), eq(applications.source, "registered")));
      return existing ? { outcome: "unchanged" as const, name: existing.name } : { outcome: "not_found" as const };
    }
    await recordAudit(tx, {
      actor: actorOf(admin),
      event: disabled ? "application_disabled" : "application_enabled",
      outcome: "success",
      detail: { applicationId, name: changed.name, clientId: changed.clientId },
    });
    return { outcome: "changed" as const, name: changed.name };
  });
}

export type DeleteOutcome =
  | { outcome: "deleted"; name: string }
  | { outcome: "has_connections"; name: string; connections: number }
  | { outcome: "in_use"; name: string }
  | { outcome: "not_found" };

const FOREIGN_KEY_VIOLATION = "23503";

function isForeignKeyViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 4; depth++) {
    if ((current as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Deletes a registered application that no connection uses. With connections it refuses: their tokens can only be
 * refreshed with this application's credentials, so it can only be disabled.
 */
export async function deleteApplication(admin: Admin, applicationId: string): Promise<DeleteOutcome> {
  const { db } = await getDb();
  let name = "This application";
  try {
    return await db.transaction(async (tx) => {
      // Locked, so a connection created meanwhile waits for this transaction and then finds the row gone.
      const [app] = await tx
        .select({ name: applications.name, clientId: applications.clientId })
        .from(applications)
        .where(and(eq(applications.id, applicationId), eq(applications.source, "registered")))
        .for("update");
      if (!app) return { outcome: "not_found" as const };
      name = app.name;
      const [used] = await tx
        .select({ n: count() })
        .from(connections)
        .where(eq(connections.applicationId, applicationId));
      if (used && used.n > 0) return { outcome: "has_connections" as const, name: app.name, connections: used.n };
      await tx.delete(applications).where(eq(applications.id, applicationId));
      await recordAudit(tx, {
        actor: actorOf(admin),
        event: "application_deleted",
        outcome: "success",
        detail: { applicationId, name: app.name, clientId: app.clientId },
      });
      return { outcome: "deleted" as const, name: app.name };
    });
  } catch (error) {
    // Something else still points at it (e.g. a pending connect link): the database keeps it, and so do we.
    if (isForeignKeyViolation(error)) return { outcome: "in_use", name };
    throw error;
  }
}

export type TestCredentialsOutcome =
  | { outcome: "checked"; name: string; check: ApplicationCredentialsCheck }
  | { outcome: "secret_unreadable"; name: string }
  | { outcome: "not_found" };

/** The redirect URI an application's authorizations use, which the token endpoint expects with a code. */
async function redirectUriOf(redirectMode: ApplicationRedirectMode): Promise<string> {
  return redirectMode === "oob" ? OOB_REDIRECT_URI : `${await portalOrigin()}${CONNECT_CALLBACK_PATH}`;
}

/**
 * "Test credentials": asks the token endpoint with a deliberately invalid code and keeps the answer on the row,
 * unless the secret changed while Apicbase was being asked (then the answer was about the old one).
 */
export async function testApplicationCredentials(admin: Admin, applicationId: string): Promise<TestCredentialsOutcome> {
  const { db } = await getDb();
  const [app] = await db
    .select({
      name: applications.name,
      clientId: applications.clientId,
      redirectMode: applications.redirectMode,
      ciphertext: applications.clientSecretCiphertext,
    })
    .from(applications)
    .where(eq(applications.id, applicationId));
  if (!app) return { outcome: "not_found" };

  let client;
  try {
    client = await clientForApplication(db, getKeyring(), resolveApicbaseSettings(env()), applicationId);
  } catch (error) {
    if (error instanceof SecretDecryptionError) return { outcome: "secret_unreadable", name: app.name };
    throw error;
  }
  const check = await checkCredentials(client, await redirectUriOf(app.redirectMode));

  await db.transaction(async (tx) => {
    await tx
      .update(applications)
      .set({ credentialsCheck: check })
      .where(
        and(
          eq(applications.id, applicationId),
          app.ciphertext === null
            ? isNull(applications.clientSecretCiphertext)
            : eq(applications.clientSecretCiphertext, app.ciphertext),
        ),
      );
    await recordAudit(tx, {
      actor: actorOf(admin),
      event: "application_credentials_tested",
      outcome: check.result === "accepted" ? "success" : "failure",
      apicbaseError: check.apicbaseError,
      detail: {
        applicationId,
        name: app.name,
        clientId: app.clientId,
        result: check.result,
        httpStatus: check.httpStatus,
      },
    });
  });
  return { outcome: "checked", name: app.name, check };
}
