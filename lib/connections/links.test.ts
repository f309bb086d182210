import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApicbaseClient } from "@/lib/apicbase/client";
import { endpointsFromBase } from "@/lib/apicbase/config";
import { generateKey, parseKeyring } from "@/lib/crypto/secrets";
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import { eq } from "drizzle-orm";
import { applications, authorizationLinks, connections, organizations } from "@/lib/db/schema";
import {
  beginLinkAuthorization,
  claimLinkByState,
  createAuthorizationLink,
  finishLink,
  findLink,
  hashLinkToken,
  isLinkState,
  listOrganizationLinks,
  withdrawLink,
} from "./links";

let database: Database;
let organizationId: string;
let applicationId: string;
const keyring = parseKeyring(generateKey());
const client = new ApicbaseClient({
  endpoints: endpointsFromBase("http://127.0.0.1:9"),
  clientId: "app",
  clientSecret: "secret",
});

beforeAll(async () => {
  database = await openDatabase({ dataDir: MEMORY });
  const [org] = await database.db.insert(organizations).values({ name: "Links org" }).returning();
  const [app] = await database.db
    .insert(applications)
    .values({ name: "Env app", clientId: "app", source: "environment", scopes: ["accounts", "library"] })
    .returning();
  organizationId = org!.id;
  applicationId = app!.id;
}, 60_000);
afterAll(async () => database?.close());

/** A link of the test organization (unless told otherwise) that nobody in particular created. */
function newLink(args: { now: Date } & Partial<Parameters<typeof createAuthorizationLink>[1]>) {
  return createAuthorizationLink(database.db, { organizationId, applicationId, createdByUserId: null, ...args });
}

describe("authorization links", () => {
  it("stores only a hash of the link's secret and shows whom the link is for", async () => {
    const now = new Date();
    const { token, id } = await newLink({ customerLabel: "Bistro Nord", now });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await database.db.select().from(authorizationLinks);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.find((r) => r.id === id)?.tokenHash).toBe(hashLinkToken(token));
    expect(await findLink(database.db, token, now)).toMatchObject({
      organizationName: "Links org",
      customerLabel: "Bistro Nord",
      kind: "connect",
      state: "open",
    });
    // One character changed (never to itself: a token ending in "A" stays a different token).
    const altered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect(await findLink(database.db, altered, now)).toBeNull();
    expect(await findLink(database.db, "not a token", now)).toBeNull();
  });

  it("expires", async () => {
    const now = new Date();
    const { token } = await newLink({ now, ttlMs: 1000 });
    expect((await findLink(database.db, token, new Date(now.getTime() + 2000)))?.state).toBe("expired");
  });

  it("is claimed once per approval: a replayed callback finds nothing, a failed one gives the link back", async () => {
    const now = new Date();
    const { token } = await newLink({ now });
    const url = await beginLinkAuthorization(database.db, keyring, client, {
      token,
      redirectUri: "http://localhost/api/connect/callback",
      scopes: ["accounts"],
      now,
    });
    const state = new URL(url!).searchParams.get("state")!;
    expect(await isLinkState(database.db, state)).toBe(true);
    const [first, second] = await Promise.all([
      claimLinkByState(database.db, keyring, state, now),
      claimLinkByState(database.db, keyring, state, now),
    ]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    const claimed = (first ?? second)!;
    expect(claimed.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect((await findLink(database.db, token, now))?.state).toBe("used");
    await finishLink(database.db, claimed.id, { release: true });
    expect((await findLink(database.db, token, now))?.state).toBe("open");
    expect(await claimLinkByState(database.db, keyring, state, now)).toBeNull();
  });

  it("lists the organization's links with their state, and withdraws an open one of this organization only", async () => {
    const [other] = await database.db.insert(organizations).values({ name: "Other org" }).returning();
    const now = new Date();
    const open = await newLink({ organizationId: other!.id, customerLabel: "Café Zuid", now });
    const toWithdraw = await newLink({
      organizationId: other!.id,
      customerLabel: "Brasserie Oost",
      now: new Date(now.getTime() + 1),
    });
    const url = await beginLinkAuthorization(database.db, keyring, client, {
      token: toWithdraw.token,
      redirectUri: "http://localhost/api/connect/callback",
      scopes: ["accounts"],
      now,
    });
    const state = new URL(url!).searchParams.get("state")!;

    // Another organization's member cannot withdraw it, whatever id they send.
    expect(await withdrawLink(database.db, { organizationId, linkId: toWithdraw.id, now })).toBeNull();
    expect(await withdrawLink(database.db, { organizationId: other!.id, linkId: toWithdraw.id, now })).toEqual({
      customerLabel: "Brasserie Oost",
      connectionId: null,
    });
    // Once withdrawn: not again, the link page says it ended, and an approval under way finds nothing to claim.
    expect(await withdrawLink(database.db, { organizationId: other!.id, linkId: toWithdraw.id, now })).toBeNull();
    expect((await findLink(database.db, toWithdraw.token, now))?.state).toBe("expired");
    expect(await claimLinkByState(database.db, keyring, state, now)).toBeNull();

    const listed = await listOrganizationLinks(database.db, other!.id, now);
    expect(listed.map((link) => [link.customerLabel, link.kind, link.state])).toEqual([
      ["Brasserie Oost", "connect", "withdrawn"],
      ["Café Zuid", "connect", "open"],
    ]);
    expect(listed[1]!.id).toBe(open.id);
    expect(JSON.stringify(listed)).not.toContain(open.token);
    // Seven days later the open one has expired on its own, which reads differently from a withdrawn one.
    const later = new Date(now.getTime() + 8 * 24 * 3600 * 1000);
    expect((await listOrganizationLinks(database.db, other!.id, later)).map((link) => link.state)).toEqual([
      "withdrawn",
      "expired",
    ]);
    expect(await listOrganizationLinks(database.db, organizationId, now)).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ id: open.id })]),
    );
  });

  it("keeps what an approval through it did, with the library approved and who approved, for the list", async () => {
    const [org] = await database.db.insert(organizations).values({ name: "Outcome org" }).returning();
    const [connection] = await database.db
      .insert(connections)
      .values({
        organizationId: org!.id,
        applicationId,
        libraryId: 103,
        libraryName: "Brasserie Oost",
        scopes: ["accounts"],
      })
      .returning({ id: connections.id });
    const now = new Date();
    const link = await newLink({ organizationId: org!.id, customerLabel: "Trattoria West (Sam)", now });
    const url = await beginLinkAuthorization(database.db, keyring, client, {
      token: link.token,
      redirectUri: "http://localhost/api/connect/callback",
      scopes: ["accounts"],
      now,
    });
    const claimed = await claimLinkByState(database.db, keyring, new URL(url!).searchParams.get("state")!, now);
    await finishLink(database.db, claimed!.id, {
      connectionId: connection!.id,
      outcome: "updated",
      library: { id: 103, name: "Brasserie Oost" },
      approvedBy: "otto@sandbox.test",
    });
    // Renamed since: the list shows the connection's name now and the library as it was approved.
    await database.db
      .update(connections)
      .set({ libraryName: "Brasserie Oost (Ghent)" })
      .where(eq(connections.id, connection!.id));

    const [listed] = await listOrganizationLinks(database.db, org!.id, now);
    expect(listed).toMatchObject({
      customerLabel: "Trattoria West (Sam)",
      state: "used",
      resultConnectionId: connection!.id,
      resultLibraryName: "Brasserie Oost (Ghent)",
      result: { outcome: "updated", libraryId: 103, libraryName: "Brasserie Oost", approvedBy: "otto@sandbox.test" },
    });
    // A database refuses an outcome it does not know.
    await expect(
      database.db
        .update(authorizationLinks)
        .set({ resultOutcome: "replaced" as never })
        .where(eq(authorizationLinks.id, link.id)),
    ).rejects.toThrow();
  });
});
