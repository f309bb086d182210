import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openTestDb, testAdmin } from "@/testing/dal";
import { createApicbaseUser, ownsEmail } from "@/lib/auth/users";
import { auditEvents, closeDb, invitations, memberships, organizations, type Db } from "@/lib/db";
import { confirmEmailOwner, listPortalUsers } from "./members";
import type { Admin } from "./session";

let db: Db;
let admin: Admin;

beforeAll(async () => {
  db = await openTestDb({ adminEmails: "boss@example.com" });
  admin = await testAdmin(db, { apicbaseUserId: 100, email: "ops@example.com", name: "Ops" });
}, 180_000);

afterAll(async () => {
  await closeDb();
  vi.unstubAllEnvs();
});

describe("an admin e-mail that changed hands", () => {
  it("shows the newcomer without admin rights, and moves the address to them only when another admin confirms", async () => {
    const original = (await createApicbaseUser(db, { apicbaseUserId: 1, email: "boss@example.com", name: "Old Boss" }))
      .user;
    expect((await listPortalUsers(admin)).find((person) => person.id === original.id)).toMatchObject({
      admin: "configured",
      contested: null,
    });

    const [acme] = await db.insert(organizations).values({ name: "Acme" }).returning();
    await db.insert(invitations).values({ organizationId: acme!.id, email: "boss@example.com" });
    const newcomer = (await createApicbaseUser(db, { apicbaseUserId: 2, email: "boss@example.com", name: "New Boss" }))
      .user;
    const listed = await listPortalUsers(admin);
    expect(listed.find((person) => person.id === newcomer.id)).toMatchObject({
      email: "boss@example.com",
      admin: null,
      contested: { boundApicbaseUserId: 1, configuredAdmin: true, pendingInvitations: 1 },
    });
    // The previous owner lost the address (Apicbase gave it away), and with it the configured rights.
    expect(listed.find((person) => person.id === original.id)).toMatchObject({
      email: null,
      admin: null,
      contested: null,
    });

    // Nobody confirms for themselves.
    const newcomerAsAdmin = { ...admin, id: newcomer.id } as Admin;
    expect(await confirmEmailOwner(newcomerAsAdmin, newcomer.id)).toEqual({ outcome: "self" });
    expect(await ownsEmail(db, "boss@example.com", 2)).toBe(false);

    expect(await confirmEmailOwner(admin, newcomer.id)).toEqual({
      outcome: "confirmed",
      email: "boss@example.com",
      joinedOrganizations: 1,
    });
    expect(await ownsEmail(db, "boss@example.com", 2)).toBe(true);
    expect(await db.select().from(memberships).where(eq(memberships.userId, newcomer.id))).toHaveLength(1);
    expect((await listPortalUsers(admin)).find((person) => person.id === newcomer.id)).toMatchObject({
      admin: "configured",
      contested: null,
    });
    const [audit] = await db.select().from(auditEvents).where(eq(auditEvents.event, "email_binding_confirmed"));
    expect(audit).toMatchObject({ actorUserId: admin.id });
    expect(audit?.detail).toMatchObject({ email: "boss@example.com", boundApicbaseUserId: 1, apicbaseUserId: 2 });

    expect(await confirmEmailOwner(admin, newcomer.id)).toEqual({ outcome: "not_contested" });
  });
});
