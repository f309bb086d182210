import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MEMORY, openDatabase, type Database, type Db } from "@/lib/db/client";
import {
  accounts,
  auditEvents,
  emailBindings,
  invitations,
  memberships,
  organizations,
  sessions,
  users,
} from "@/lib/db/schema";
import { portalAdapter } from "./adapter";
import { createApicbaseUser, ownsEmail, syncApicbaseUser } from "./users";

let database: Database;
let db: Db;

beforeAll(async () => {
  database = await openDatabase({ dataDir: MEMORY });
  db = database.db;
});

afterAll(() => database.close());

beforeEach(async () => {
  await db.delete(organizations);
  await db.delete(users);
  await db.delete(emailBindings);
  await db.delete(auditEvents);
});

async function organization(name: string) {
  const [row] = await db.insert(organizations).values({ name }).returning();
  return row!;
}

async function membershipsOf(userId: string) {
  return (await db.select().from(memberships).where(eq(memberships.userId, userId))).map((m) => m.organizationId);
}

describe("portal users keyed on the Apicbase user id", () => {
  it("turns the invitations for the user's e-mail into memberships at the first sign-in, in any case", async () => {
    const acme = await organization("Acme");
    const beta = await organization("Beta");
    await db.insert(invitations).values([
      { organizationId: acme.id, email: "nora@example.com" },
      { organizationId: beta.id, email: "nora@example.com" },
      { organizationId: beta.id, email: "otto@example.com" },
    ]);

    const { user, joinedOrganizationIds } = await createApicbaseUser(db, {
      apicbaseUserId: 3,
      email: "Nora@Example.COM",
      name: "Nora Nord",
    });

    expect(user).toMatchObject({ apicbaseUserId: 3, email: "nora@example.com", name: "Nora Nord", isAdmin: false });
    expect(joinedOrganizationIds.sort()).toEqual([acme.id, beta.id].sort());
    expect((await membershipsOf(user.id)).sort()).toEqual([acme.id, beta.id].sort());
    expect((await db.select().from(invitations)).map((i) => i.email)).toEqual(["otto@example.com"]);
  });

  it("refreshes e-mail and name at a later sign-in and claims invitations sent since", async () => {
    const { user } = await createApicbaseUser(db, { apicbaseUserId: 7, email: "old@example.com", name: "Old Name" });
    const acme = await organization("Acme");
    await db.insert(invitations).values({ organizationId: acme.id, email: "new@example.com" });

    const synced = await syncApicbaseUser(db, { apicbaseUserId: 7, email: "NEW@example.com", name: "New Name" });

    expect(synced?.user).toMatchObject({ id: user.id, email: "new@example.com", name: "New Name" });
    expect(await membershipsOf(user.id)).toEqual([acme.id]);
  });

  it("does nothing for an Apicbase user who has no portal user yet", async () => {
    expect(await syncApicbaseUser(db, { apicbaseUserId: 99, email: "x@example.com", name: "X" })).toBeNull();
    expect(await db.select().from(users)).toEqual([]);
  });

  it("lets an e-mail address move to another Apicbase user without merging the two", async () => {
    const first = await createApicbaseUser(db, { apicbaseUserId: 1, email: "shared@example.com", name: "First" });
    const second = await createApicbaseUser(db, { apicbaseUserId: 2, email: "shared@example.com", name: "Second" });

    expect(second.user.id).not.toBe(first.user.id);
    const [firstNow] = await db.select().from(users).where(eq(users.id, first.user.id));
    expect(firstNow?.email).toBeNull();
    expect(second.user.email).toBe("shared@example.com");
  });

  it("binds an e-mail to the first Apicbase user who signs in with it; a later one with the address claims nothing", async () => {
    const first = await createApicbaseUser(db, { apicbaseUserId: 1, email: "boss@example.com", name: "First" });
    expect(first.contested).toBeUndefined();
    expect(await ownsEmail(db, "BOSS@example.com", 1)).toBe(true);

    const acme = await organization("Acme");
    await db.insert(invitations).values({ organizationId: acme.id, email: "boss@example.com" });
    const second = await createApicbaseUser(db, { apicbaseUserId: 2, email: "boss@example.com", name: "Second" });
    expect(second.contested).toEqual({ boundApicbaseUserId: 1 });
    expect(second.joinedOrganizationIds).toEqual([]);
    expect(await membershipsOf(second.user.id)).toEqual([]);
    // The invitation waits for an admin's confirmation; the binding stays with the first user.
    expect(await db.select().from(invitations)).toHaveLength(1);
    expect(await ownsEmail(db, "boss@example.com", 2)).toBe(false);
    expect(await ownsEmail(db, "boss@example.com", 1)).toBe(true);
    const [audit] = await db.select().from(auditEvents).where(eq(auditEvents.event, "email_binding_contested"));
    expect(audit?.detail).toMatchObject({ email: "boss@example.com", boundApicbaseUserId: 1, apicbaseUserId: 2 });

    // Signing in again changes nothing; the first user coming back with the address gets what it grants.
    expect(
      (await syncApicbaseUser(db, { apicbaseUserId: 2, email: "boss@example.com", name: "Second" }))?.contested,
    ).toEqual({ boundApicbaseUserId: 1 });
    const back = await syncApicbaseUser(db, { apicbaseUserId: 1, email: "boss@example.com", name: "First" });
    expect(back?.contested).toBeUndefined();
    expect(await membershipsOf(first.user.id)).toEqual([acme.id]);
  });

  it("refuses an identity without a usable Apicbase user id", async () => {
    await expect(createApicbaseUser(db, { apicbaseUserId: 0, email: "x@example.com", name: "X" })).rejects.toThrow(
      /user id/,
    );
    await expect(createApicbaseUser(db, { apicbaseUserId: 1.5, email: "x@example.com", name: "X" })).rejects.toThrow(
      /user id/,
    );
  });
});

describe("the portal's Auth.js adapter", () => {
  it("finds users by Apicbase user id, never by e-mail", async () => {
    const adapter = portalAdapter(db);
    const { user } = await createApicbaseUser(db, { apicbaseUserId: 42, email: "ada@example.com", name: "Ada" });

    expect((await adapter.getUserByAccount!({ provider: "apicbase", providerAccountId: "42" }))?.id).toBe(user.id);
    expect(await adapter.getUserByAccount!({ provider: "apicbase", providerAccountId: "43" })).toBeNull();
    expect(await adapter.getUserByAccount!({ provider: "apicbase", providerAccountId: "42 OR 1=1" })).toBeNull();
    expect(await adapter.getUserByAccount!({ provider: "github", providerAccountId: "42" })).toBeNull();
    expect(await adapter.getUserByEmail!("ada@example.com")).toBeNull();
  });

  it("creates a user with its Apicbase user id", async () => {
    const adapter = portalAdapter(db);
    const created = await adapter.createUser!({
      id: "ignored",
      email: "piet@example.com",
      emailVerified: null,
      name: "Piet Partner",
      apicbaseUserId: 2,
    } as Parameters<NonNullable<typeof adapter.createUser>>[0]);
    const [row] = await db.select().from(users).where(eq(users.id, created.id));
    expect(row).toMatchObject({ apicbaseUserId: 2, email: "piet@example.com", name: "Piet Partner" });
  });

  it("links an account without keeping any token", async () => {
    const adapter = portalAdapter(db);
    const { user } = await createApicbaseUser(db, { apicbaseUserId: 5, email: "otto@example.com", name: "Otto" });
    await adapter.linkAccount!({
      userId: user.id,
      type: "oauth",
      provider: "apicbase",
      providerAccountId: "5",
      access_token: "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5",
      refresh_token: "Z1y2X3w4V5u6T7s8R9q0P1o2N3m4L5",
      token_type: "bearer",
      scope: "accounts library",
      expires_at: 1_900_000_000,
    });
    const [link] = await db.select().from(accounts).where(eq(accounts.userId, user.id));
    expect(link).toMatchObject({
      provider: "apicbase",
      providerAccountId: "5",
      scope: "accounts library",
      access_token: null,
      refresh_token: null,
      id_token: null,
    });
  });

  it("refuses to link one Apicbase user to another's portal user", async () => {
    const adapter = portalAdapter(db);
    const { user } = await createApicbaseUser(db, { apicbaseUserId: 5, email: "otto@example.com", name: "Otto" });
    await expect(
      adapter.linkAccount!({ userId: user.id, type: "oauth", provider: "apicbase", providerAccountId: "6" }),
    ).rejects.toThrow(/another portal user/);
    expect(await db.select().from(accounts)).toEqual([]);
  });

  it("stores sessions and deletes them at sign-out", async () => {
    const adapter = portalAdapter(db);
    const { user } = await createApicbaseUser(db, { apicbaseUserId: 8, email: "s@example.com", name: "S" });
    await adapter.createSession!({
      sessionToken: "t".repeat(43),
      userId: user.id,
      expires: new Date(Date.now() + 60_000),
    });
    expect((await adapter.getSessionAndUser!("t".repeat(43)))?.user.id).toBe(user.id);
    await adapter.deleteSession!("t".repeat(43));
    expect(await db.select().from(sessions)).toEqual([]);
  });

  it("stores only the SHA-256 of a session token, and finds, extends and ends the session by its token", async () => {
    const adapter = portalAdapter(db);
    const { user } = await createApicbaseUser(db, { apicbaseUserId: 9, email: "h@example.com", name: "H" });
    const token = "Ab-".repeat(14) + "x";
    const hash = createHash("sha256").update(token, "utf8").digest("hex");
    const created = await adapter.createSession!({
      sessionToken: token,
      userId: user.id,
      expires: new Date(Date.now() + 60_000),
    });
    // Auth.js puts what createSession returns into the cookie: the token, not the hash.
    expect(created.sessionToken).toBe(token);
    const stored = await db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(stored.map((row) => row.sessionToken)).toEqual([hash]);
    expect(JSON.stringify(stored)).not.toContain(token);

    // Someone who read the table cannot use the hash as a cookie.
    expect(await adapter.getSessionAndUser!(hash)).toBeNull();
    const found = await adapter.getSessionAndUser!(token);
    expect(found?.user.id).toBe(user.id);
    expect(found?.session.sessionToken).toBe(token);

    const later = new Date(Date.now() + 120_000);
    const updated = await adapter.updateSession!({ sessionToken: token, expires: later });
    expect(updated?.sessionToken).toBe(token);
    expect((await db.select().from(sessions).where(eq(sessions.sessionToken, hash)))[0]?.expires).toEqual(later);

    await adapter.deleteSession!(token);
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
  });
});
