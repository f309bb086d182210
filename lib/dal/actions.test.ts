import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { AuditEntry } from "@/lib/audit";
import { recordId } from "@/lib/forms";
import type { PortalUser } from "./session";

const audited: AuditEntry[] = [];
const session: { user: PortalUser | null } = { user: null };
const CONNECTION = "5f0c1d7e-3a2b-4c5d-8e9f-0a1b2c3d4e5f";
const OTHER_CONNECTION = "6f0c1d7e-3a2b-4c5d-8e9f-0a1b2c3d4e5f";
const ORGANIZATION = "7f0c1d7e-3a2b-4c5d-8e9f-0a1b2c3d4e5f";
const OTHER_ORGANIZATION = "8f0c1d7e-3a2b-4c5d-8e9f-0a1b2c3d4e5f";

vi.mock("@/lib/audit", () => ({ recordAudit: async (_db: unknown, entry: AuditEntry) => void audited.push(entry) }));
vi.mock("@/lib/db", () => ({ getDb: async () => ({ db: {} }) }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
}));
vi.mock("./session", () => ({
  getCurrentUser: async () => session.user,
  authorizeAdmin: async () => {
    const user = session.user;
    if (!user) return { ok: false, user, message: "Your session has ended. Sign in again." };
    if (!user.isAdmin) return { ok: false, user, message: "Only portal admins can do this." };
    return { ok: true, admin: user };
  },
}));
vi.mock("./connections", () => ({
  canActFor: (user: PortalUser, organizationId: string) =>
    user.isAdmin || user.memberships.some((m) => m.organizationId === organizationId),
  connectionOwner: async (user: PortalUser, connectionId: string) =>
    connectionId === CONNECTION && user.memberships.some((m) => m.organizationId === ORGANIZATION)
      ? ORGANIZATION
      : null,
}));

const { action, redirectAction } = await import("./actions");

const member: PortalUser = {
  id: "u1",
  name: "Nora",
  email: "nora@example.com",
  isAdmin: false,
  memberships: [{ organizationId: ORGANIZATION, organizationName: "Nora's" } as PortalUser["memberships"][number]],
};

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields))
    for (const one of Array.isArray(value) ? value : [value]) data.append(name, one);
  return data;
}

const renamed: string[] = [];
const rename = action(
  {
    name: "rename_thing",
    owns: "organization",
    schema: z.object({ organizationId: recordId, name: z.string().min(2, "Too short."), secret: z.string() }),
    secrets: ["secret"],
    invalid: "Nothing was renamed.",
    notAllowed: "Not your things.",
  },
  async (ctx, { name }) => {
    if (name === "gone") return { ok: false, message: "Gone.", fieldErrors: {} };
    if (name === "sealed") return ctx.refuse();
    renamed.push(`${ctx.organizationId}:${name}`);
    return { ok: true, message: `Renamed to ${name}.` };
  },
);

beforeEach(() => {
  audited.length = 0;
  renamed.length = 0;
  session.user = member;
});

describe("action()", () => {
  it("refuses a signed-out caller without running or auditing", async () => {
    session.user = null;
    expect(await rename(null, form({ organizationId: ORGANIZATION, name: "New", secret: "s" }))).toEqual({
      ok: false,
      message: "Your session has ended. Sign in again.",
      fieldErrors: {},
    });
    expect(renamed).toEqual([]);
    expect(audited).toEqual([]);
  });

  it("refuses another organization before reading the fields, and audits it under the action's name", async () => {
    const result = await rename(null, form({ organizationId: OTHER_ORGANIZATION, name: "x", secret: "s" }));
    expect(result).toEqual({ ok: false, message: "Not your things.", fieldErrors: {} });
    expect(renamed).toEqual([]);
    expect(audited).toEqual([
      expect.objectContaining({
        event: "access_refused",
        outcome: "failure",
        actor: { id: "u1", email: "nora@example.com" },
        detail: { action: "rename_thing", organizationId: OTHER_ORGANIZATION },
      }),
    ]);
  });

  it("refuses an id that is no id without auditing it", async () => {
    const result = await rename(null, form({ organizationId: "nope", name: "New", secret: "s" }));
    expect(result).toMatchObject({ ok: false, message: "Not your things." });
    expect(audited).toEqual([]);
  });

  it("answers field messages and gives back what was typed, never a secret", async () => {
    const result = await rename(null, form({ organizationId: ORGANIZATION, name: "x", secret: "hush" }));
    expect(result).toEqual({
      ok: false,
      message: "Nothing was renamed.",
      fieldErrors: { name: "Too short." },
      values: { organizationId: ORGANIZATION, name: "x" },
    });
    expect(JSON.stringify(result)).not.toContain("hush");
    expect(renamed).toEqual([]);
  });

  it("runs with the organization, answers the run's result, and gives values back on its failures", async () => {
    expect(await rename(null, form({ organizationId: ORGANIZATION, name: "New", secret: "s", extra: "x" }))).toEqual({
      ok: true,
      message: "Renamed to New.",
    });
    expect(renamed).toEqual([`${ORGANIZATION}:New`]);
    expect(await rename(null, form({ organizationId: ORGANIZATION, name: "gone", secret: "s" }))).toEqual({
      ok: false,
      message: "Gone.",
      fieldErrors: {},
      values: { organizationId: ORGANIZATION, name: "gone" },
    });
  });

  it("ctx.refuse() audits and answers the action's refusal", async () => {
    const result = await rename(null, form({ organizationId: ORGANIZATION, name: "sealed", secret: "s" }));
    expect(result).toMatchObject({ ok: false, message: "Not your things." });
    expect(audited).toEqual([
      expect.objectContaining({ detail: { action: "rename_thing", organizationId: ORGANIZATION } }),
    ]);
  });

  it("admin actions: a signed-in non-admin is refused and audited, an admin runs", async () => {
    const ran: string[] = [];
    const promote = action(
      { name: "promote_admin", access: "admin", schema: z.object({ email: z.string() }) },
      async ({ user }, { email }) => {
        ran.push(`${user.id}:${email}`);
        return { ok: true, message: "Promoted." };
      },
    );
    expect(await promote(null, form({ email: "a@b.c" }))).toEqual({
      ok: false,
      message: "Only portal admins can do this.",
      fieldErrors: {},
    });
    expect(audited).toEqual([expect.objectContaining({ detail: { action: "promote_admin" } })]);
    session.user = { ...member, id: "admin", isAdmin: true };
    expect(await promote(null, form({ email: "a@b.c" }))).toEqual({ ok: true, message: "Promoted." });
    expect(ran).toEqual(["admin:a@b.c"]);
  });

  it("connection actions: someone else's connection is refused at the field and audited with its id", async () => {
    const refresh = action(
      { name: "refresh_connection", owns: "connection", schema: z.object({ connectionId: z.string() }) },
      async (ctx) => ({ ok: true, message: `${ctx.organizationId}/${ctx.connectionId}` }),
    );
    expect(await refresh(null, form({ connectionId: CONNECTION }))).toEqual({
      ok: true,
      message: `${ORGANIZATION}/${CONNECTION}`,
    });
    const refused = "This connection does not exist or belongs to another organization.";
    expect(await refresh(null, form({ connectionId: OTHER_CONNECTION }))).toEqual({
      ok: false,
      message: refused,
      fieldErrors: {},
    });
    expect(audited).toEqual([
      expect.objectContaining({ connectionId: OTHER_CONNECTION, detail: { action: "refresh_connection" } }),
    ]);
  });
});

describe("redirectAction()", () => {
  const start = redirectAction(
    {
      name: "start_connect",
      owns: "organization",
      schema: z.object({ organizationId: recordId, applicationId: z.uuid().optional() }),
      notAllowed: "/connections?connect_error=not_allowed",
      invalid: "/connections?connect_error=invalid",
    },
    async ({ organizationId }) => {
      throw new Error(`redirect /started/${organizationId}`);
    },
  );

  it("sends a signed-out caller to the sign-in page", async () => {
    session.user = null;
    await expect(start(form({ organizationId: ORGANIZATION }))).rejects.toThrow("redirect /signin");
  });

  it("sends a refused caller to notAllowed (audited), bad input to invalid, and runs otherwise", async () => {
    await expect(start(form({ organizationId: OTHER_ORGANIZATION }))).rejects.toThrow(
      "redirect /connections?connect_error=not_allowed",
    );
    expect(audited).toHaveLength(1);
    await expect(start(form({ organizationId: ORGANIZATION, applicationId: "x" }))).rejects.toThrow(
      "redirect /connections?connect_error=invalid",
    );
    await expect(start(form({ organizationId: ORGANIZATION }))).rejects.toThrow(`redirect /started/${ORGANIZATION}`);
  });
});
