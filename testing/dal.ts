/** For the data-access layer's tests: the portal's database in memory, whatever the shell says, and an admin. */
import { vi } from "vitest";
import { createApicbaseUser } from "@/lib/auth/users";
import { generateKey } from "@/lib/crypto/secrets";
import { getDb, type Db } from "@/lib/db";
import type { registerApplication } from "@/lib/dal/applications";
import type { Admin } from "@/lib/dal/session";
import { SANDBOX_DESK_APP } from "@/lib/sandbox";

/**
 * Opens the in-memory database with no Apicbase application, no PostgreSQL and no configured admins, unless
 * `adminEmails` names some; with `apicbaseUrl` the portal talks to that emulator and seals tokens with a new key.
 */
export async function openTestDb(options: { adminEmails?: string; apicbaseUrl?: string } = {}): Promise<Db> {
  for (const name of ["DATABASE_URL", "AUTH_APICBASE_ID", "AUTH_APICBASE_SECRET", "APICBASE_BASE_URL"])
    vi.stubEnv(name, "");
  vi.stubEnv("PORTAL_ADMIN_EMAILS", options.adminEmails ?? "");
  vi.stubEnv("DATA_DIR", ":memory:");
  if (options.apicbaseUrl) {
    vi.stubEnv("APICBASE_BASE_URL", options.apicbaseUrl);
    vi.stubEnv("PORTAL_URL", "http://localhost:3000");
    vi.stubEnv("TOKEN_ENCRYPTION_KEY", generateKey());
  }
  return (await getDb()).db;
}

/** A portal user acting as an admin (Ada, Apicbase user 1, unless told otherwise). */
export async function testAdmin(
  db: Db,
  person: { apicbaseUserId: number; email: string; name: string } = {
    apicbaseUserId: 1,
    email: "admin@sandbox.test",
    name: "Ada Admin",
  },
): Promise<Admin> {
  const { user } = await createApicbaseUser(db, person);
  return { id: user.id, name: user.name, email: user.email, isAdmin: true, memberships: [] } as unknown as Admin;
}

/** The sandbox's desk app as the tests register it (manual code entry, accounts and library), with `clientSecret`. */
export function deskAppRegistration(clientSecret: string): Parameters<typeof registerApplication>[1] {
  return {
    name: "Desk app",
    clientId: SANDBOX_DESK_APP.clientId,
    clientSecret,
    redirectMode: "oob",
    scopes: ["accounts", "library"],
  };
}
