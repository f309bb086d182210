import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openTestDb, testAdmin } from "@/testing/dal";
import { createApicbaseUser } from "@/lib/auth/users";
import { auditEvents, closeDb, invitations, memberships, organizations, sessions, type Db } from "@/lib/db";
import { seedLocalSandbox } from "@/lib/db/sandbox-seed";
import { readEnv } from "@/lib/env";
import { SANDBOX_ORGANIZATION } from "@/lib/sandbox";
import { adminContacts, demoteAdmin, listAdmins, promoteAdmin } from "./admins";
import { addMember, createOrganization, listOrganizations, removeInvitation, removeMember } from "./organizations";
import type { Admin, PortalUser } from "./session";

let db: Db;
let admin: Admin;

beforeAll(async () => {
  // The local sandbox on an in-memory database, whatever the shell says.
  db = await openTestDb();
  // What the server does when it starts (instrumentation.ts).
  await seedLocalSandbox(readEnv());
  admin = await testAdmin(db);
});

afterAll(async () => {
  await closeDb();
  vi.unstubAllEnvs();
});

describe("the local sandbox seed", () => {
  it("creates the demo organization once, with the demo partner invited", async () => {
    expect(await seedLocalSandbox(readEnv())).toBe(true);
    const listed = await listOrganizations(admin);
    const sandbox = listed.filter((o) => o.name === SANDBOX_ORGANIZATION.name);
    expect(sandbox).toHaveLength(1);
    expect(sandbox[0]?.invitations.map((i) => i.email)).toEqual(["partner@sandbox.test"]);
  });
});

describe("organizations", () => {
  it("refuses a second organization with the same name in another case, and audits the first", async () => {
    const created = await createOrganization(admin, "Lightspeed POS");
    expect(created.outcome).toBe("created");
    expect(await createOrganization(admin, "LIGHTSPEED pos")).toEqual({ outcome: "name_taken" });
    const audit = await db.select().from(auditEvents).where(eq(auditEvents.event, "organization_created"));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: admin.id, actorLabel: "admin@sandbox.test", outcome: "success" });
  });

  it("adds a portal user as a member at once and invites anyone else", async () => {
    const created = await createOrganization(admin, "Acme Ordering");
    if (created.outcome !== "created") throw new Error("not created");
    const { user: nora } = await createApicbaseUser(db, {
      apicbaseUserId: 3,
      email: "nora@sandbox.test",
      name: "Nora",
    });

    expect(await addMember(admin, created.id, "nora@sandbox.test")).toBe("added");
    expect(await addMember(admin, created.id, "nora@sandbox.test")).toBe("already_member");
    expect(await addMember(admin, created.id, "otto@sandbox.test")).toBe("invited");
    expect(await addMember(admin, created.id, "otto@sandbox.test")).toBe("already_invited");
    expect(await addMember(admin, "00000000-0000-4000-8000-000000000000", "otto@sandbox.test")).toBe("no_organization");

    const [acme] = (await listOrganizations(admin)).filter((o) => o.id === created.id);
    expect(acme?.members.map((m) => m.email)).toEqual(["nora@sandbox.test"]);
    expect(acme?.invitations.map((i) => i.email)).toEqual(["otto@sandbox.test"]);

    const added = await db.select().from(auditEvents).where(eq(auditEvents.event, "member_added"));
    expect(added.map((event) => event.detail)).toEqual([
      expect.objectContaining({ email: "nora@sandbox.test", pending: false, userId: nora.id }),
      expect.objectContaining({ email: "otto@sandbox.test", pending: true }),
    ]);
  });

  it("removes members and invitations only within the organization named", async () => {
    const acme = await createOrganization(admin, "Removal Test A");
    const other = await createOrganization(admin, "Removal Test B");
    if (acme.outcome !== "created" || other.outcome !== "created") throw new Error("not created");
    const { user } = await createApicbaseUser(db, { apicbaseUserId: 4, email: "otto2@sandbox.test", name: "Otto" });
    await addMember(admin, acme.id, "otto2@sandbox.test");
    await addMember(admin, acme.id, "later@sandbox.test");
    const [invitation] = await db.select().from(invitations).where(eq(invitations.organizationId, acme.id));

    // The right ids with the wrong organization change nothing.
    expect(await removeMember(admin, other.id, user.id)).toBe(false);
    expect(await removeInvitation(admin, other.id, invitation!.id)).toBe(false);
    expect(await db.select().from(memberships).where(eq(memberships.organizationId, acme.id))).toHaveLength(1);

    expect(await removeMember(admin, acme.id, user.id)).toBe(true);
    expect(await removeInvitation(admin, acme.id, invitation!.id)).toBe(true);
    expect(await removeInvitation(admin, acme.id, invitation!.id)).toBe(false);
    const removed = await db.select().from(auditEvents).where(eq(auditEvents.event, "member_removed"));
    expect(removed.map((event) => event.detail)).toEqual([
      expect.objectContaining({ userId: user.id, pending: false }),
      expect.objectContaining({ email: "later@sandbox.test", pending: true }),
    ]);
    expect(removed.every((event) => event.organizationId === acme.id)).toBe(true);
  });

  it("ends every portal session of a removed member at once, and only theirs", async () => {
    const team = await createOrganization(admin, "Session Test");
    if (team.outcome !== "created") throw new Error("not created");
    const { user: leaver } = await createApicbaseUser(db, {
      apicbaseUserId: 20,
      email: "leaver@sandbox.test",
      name: "Leaver",
    });
    const { user: stayer } = await createApicbaseUser(db, {
      apicbaseUserId: 21,
      email: "stayer@sandbox.test",
      name: "Stayer",
    });
    await addMember(admin, team.id, "leaver@sandbox.test");
    await addMember(admin, team.id, "stayer@sandbox.test");
    await addMember(admin, team.id, "admin@sandbox.test");
    const expires = new Date(Date.now() + 3600_000);
    await db.insert(sessions).values([
      { sessionToken: "leaver-laptop", userId: leaver.id, expires },
      { sessionToken: "leaver-phone", userId: leaver.id, expires },
      { sessionToken: "stayer-laptop", userId: stayer.id, expires },
      { sessionToken: "admin-laptop", userId: admin.id, expires },
    ]);
    const tokensLeft = async () =>
      (await db.select({ token: sessions.sessionToken }).from(sessions)).map((s) => s.token).sort();

    expect(await removeMember(admin, team.id, leaver.id)).toBe(true);
    expect(await tokensLeft()).toEqual(["admin-laptop", "stayer-laptop"]);
    const [removed] = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.organizationId, team.id))
      .orderBy(desc(auditEvents.id))
      .limit(1);
    expect(removed).toMatchObject({
      event: "member_removed",
      detail: expect.objectContaining({ userId: leaver.id, sessionsEnded: 2 }),
    });
    expect(JSON.stringify(removed)).not.toContain("leaver-laptop");

    // An admin leaving an organization stays signed in: their access does not come from the membership.
    expect(await removeMember(admin, team.id, admin.id)).toBe(true);
    expect(await tokensLeft()).toEqual(["admin-laptop", "stayer-laptop"]);
  });

  it("cascades an organization's invitations when it is deleted", async () => {
    const gone = await createOrganization(admin, "Short Lived");
    if (gone.outcome !== "created") throw new Error("not created");
    await addMember(admin, gone.id, "someone@sandbox.test");
    await db.delete(organizations).where(eq(organizations.id, gone.id));
    expect(await db.select().from(invitations).where(eq(invitations.organizationId, gone.id))).toEqual([]);
  });
});

describe("admins", () => {
  it("lists the sandbox's demo admin, promotes a portal user and demotes them again", async () => {
    const { user: piet } = await createApicbaseUser(db, {
      apicbaseUserId: 2,
      email: "partner@sandbox.test",
      name: "Piet",
    });
    const asUser = {
      id: piet.id,
      email: piet.email,
      name: piet.name,
      isAdmin: false,
      memberships: [],
    } satisfies PortalUser;

    expect(await listAdmins(admin)).toEqual([
      { email: "admin@sandbox.test", name: "Ada Admin", source: "sandbox", promotedUserId: null },
    ]);
    expect(await promoteAdmin(admin, "nobody@sandbox.test")).toBe("unknown_user");
    expect(await promoteAdmin(admin, "admin@sandbox.test")).toBe("already_admin");
    expect(await promoteAdmin(admin, "partner@sandbox.test")).toBe("promoted");
    expect(await promoteAdmin(admin, "partner@sandbox.test")).toBe("already_admin");
    expect(await adminContacts(asUser)).toEqual(["admin@sandbox.test", "partner@sandbox.test"]);

    expect(await demoteAdmin(admin, admin.id)).toBe("self");
    expect(await demoteAdmin(admin, piet.id)).toBe("demoted");
    expect(await demoteAdmin(admin, piet.id)).toBe("not_promoted");
    expect(await adminContacts(asUser)).toEqual(["admin@sandbox.test"]);
  });
});
