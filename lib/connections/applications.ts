import { eq } from "drizzle-orm";
import { ApicbaseClient } from "@/lib/apicbase/client";
import type { ApicbaseSettings } from "@/lib/apicbase/config";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import { applications } from "@/lib/db/schema";
import { SANDBOX_PARTNER_APP } from "@/lib/sandbox";
import { openClientSecret } from "./tokens";

export type ApplicationRow = typeof applications.$inferSelect;

/**
 * The application from the environment (AUTH_APICBASE_ID) as a row, so connections can refer to it like to any
 * registered one. Its secret stays in the environment; the row follows the configuration on every start.
 */
function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((scope, i) => scope === b[i]);
}

export async function ensureEnvironmentApplication(db: Db, settings: ApicbaseSettings): Promise<ApplicationRow> {
  const name =
    settings.target === "sandbox" && settings.clientId === SANDBOX_PARTNER_APP.clientId
      ? SANDBOX_PARTNER_APP.name
      : "Partner application (from the environment)";
  // Pages call this on every render: read first, and write only when the row is missing or its scopes changed.
  const [existing] = await db.select().from(applications).where(eq(applications.clientId, settings.clientId));
  if (existing?.source === "environment" && sameScopes(existing.scopes, settings.scopes)) return existing;
  const [row] = await db
    .insert(applications)
    .values({
      name,
      clientId: settings.clientId,
      source: "environment",
      redirectMode: "redirect",
      scopes: settings.scopes,
    })
    .onConflictDoUpdate({ target: applications.clientId, set: { scopes: settings.scopes, updatedAt: new Date() } })
    .returning();
  if (!row) throw new Error("the environment's application could not be stored");
  if (row.source !== "environment") {
    throw new Error(
      `AUTH_APICBASE_ID ${settings.clientId} is also registered as an application in the portal; remove one of the ` +
        `two.`,
    );
  }
  return row;
}

/**
 * An Apicbase client speaking as the given application (only the issuing application can refresh a token).
 * `clock` is the caller's (tests and the refresher move it): token expiries are computed against it.
 */
export async function clientForApplication(
  db: Db,
  keyring: Keyring,
  settings: ApicbaseSettings,
  applicationId: string,
  clock?: () => Date,
): Promise<ApicbaseClient> {
  const [app] = await db.select().from(applications).where(eq(applications.id, applicationId));
  if (!app) throw new Error("unknown application");
  const clientSecret =
    app.source === "environment"
      ? settings.clientSecret
      : openClientSecret(keyring, app.id, app.clientSecretCiphertext ?? "");
  return new ApicbaseClient({
    endpoints: settings.endpoints,
    clientId: app.clientId,
    clientSecret,
    timeoutMs: settings.timeoutMs,
    now: clock ? () => clock().getTime() : undefined,
  });
}
