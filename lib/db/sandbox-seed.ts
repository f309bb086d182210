import { randomUUID } from "node:crypto";
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { recordAudit } from "@/lib/audit";
import { sealClientSecret } from "@/lib/connections/tokens";
import { parseKeyring, type Keyring } from "@/lib/crypto/secrets";
import type { Env } from "@/lib/env";
import { SANDBOX_DESK_APP, SANDBOX_ORGANIZATION } from "@/lib/sandbox";
import { getSharedDatabase, type Db } from "./client";
import { applications, invitations, organizations } from "./schema";

/**
 * The local sandbox's demo organization, with the demo partner as a pending member. Created once: when it already
 * exists (even renamed members or removed invitations), the seed leaves what admins changed alone.
 *
 * With `deskApp` (a keyring to encrypt its secret), a fresh sandbox also gets the bundled emulator's application
 * without a redirect URL, so manual code entry can be tried at once. Only `npm start`'s own emulator knows that
 * application: a portal pointed at another Apicbase (APICBASE_BASE_URL) does not get it.
 */
export async function seedSandbox(db: Db, options: { deskApp?: Keyring | null } = {}): Promise<void> {
  await db.transaction(async (tx) => {
    const [organization] = await tx
      .insert(organizations)
      .values({ name: SANDBOX_ORGANIZATION.name })
      .onConflictDoNothing()
      .returning({ id: organizations.id });
    if (!organization) return;
    await tx
      .insert(invitations)
      .values(SANDBOX_ORGANIZATION.memberEmails.map((email) => ({ organizationId: organization.id, email })))
      .onConflictDoNothing();
    if (!options.deskApp) return;
    const id = randomUUID();
    const [registered] = await tx
      .insert(applications)
      .values({
        id,
        name: SANDBOX_DESK_APP.name,
        clientId: SANDBOX_DESK_APP.clientId,
        clientSecretCiphertext: sealClientSecret(options.deskApp, id, SANDBOX_DESK_APP.clientSecret),
        redirectMode: "oob",
        scopes: ["accounts", "library"],
        source: "registered",
      })
      .onConflictDoNothing({ target: applications.clientId })
      .returning({ id: applications.id });
    if (registered) {
      await recordAudit(tx, {
        actor: { system: "sandbox seed" },
        event: "application_registered",
        outcome: "success",
        detail: {
          applicationId: id,
          name: SANDBOX_DESK_APP.name,
          clientId: SANDBOX_DESK_APP.clientId,
          redirectMode: "oob",
          scopes: ["accounts", "library"],
        },
      });
    }
  });
}

/**
 * At server start (instrumentation.ts), in the local sandbox only (no Apicbase configured): the demo organization,
 * and, with the bundled emulator (no APICBASE_BASE_URL), its application without a redirect URL. Idempotent.
 * False when this is no sandbox and nothing was done.
 */
export async function seedLocalSandbox(config: Env): Promise<boolean> {
  if (resolveApicbaseSettings(config).target !== "sandbox") return false;
  const { db } = await getSharedDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const deskApp =
    !config.APICBASE_BASE_URL && config.TOKEN_ENCRYPTION_KEY ? parseKeyring(config.TOKEN_ENCRYPTION_KEY) : null;
  await seedSandbox(db, { deskApp });
  return true;
}
