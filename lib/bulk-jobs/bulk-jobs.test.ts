/**
 * Bulk jobs against the emulator and PGlite: items per connection the action applies to, scoped to the organization
 * in the statement; each item runs as the person who started the job and is audited on its connection; cancel stops
 * what has not started; a draining process starts nothing and leaves its claimed items to the next run; refreshes stay
 * within the shared budget; re-authorization links work and are kept sealed.
 */
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findLink } from "@/lib/connections/links";
import { bulkLinkAad } from "@/lib/crypto/associated-data";
import { decryptSecret } from "@/lib/crypto/secrets";
import {
  applications,
  auditEvents,
  bulkJobItems,
  bulkJobs,
  connections,
  emailBindings,
  memberships,
  organizations,
  refreshControl,
  users,
} from "@/lib/db/schema";
import { beginDrain, endDrainForTests } from "@/lib/lifecycle/single-flight";
import { lifecycleFixture, type LifecycleFixture } from "@/testing/lifecycle-fixtures";
import type { ConnectionFilters } from "@/lib/connections/view";
import { cancelBulkJob, createBulkJob, queryBulkJob, queryBulkJobItems, type BulkSelection } from "./jobs";
import { runDueBulkItems, type BulkRunnerContext } from "./runner";

let fixture: LifecycleFixture;
let member: { id: string; email: string };
const BUDGET = { perMinute: 600, burst: 100 };

const everything = (overrides: Partial<ConnectionFilters> = {}): BulkSelection => ({
  kind: "filter",
  filters: { q: "", status: null, ...overrides },
  query: "",
});

function runnerContext(overrides: Partial<BulkRunnerContext> = {}): BulkRunnerContext {
  return {
    db: fixture.db,
    keyring: fixture.keyring,
    clientFor: fixture.context().clientFor,
    now: fixture.clock.now,
    owner: "bulk:test",
    budget: BUDGET,
    adminEmails: new Set(["admin@example.test"]),
    ...overrides,
  };
}

/** A job the member starts in the organization: "verify" over every connection unless `args` says otherwise. */
function startJob(args: Partial<Parameters<typeof createBulkJob>[1]> = {}) {
  return createBulkJob(fixture.db, {
    organizationId: fixture.organizationId,
    action: "verify",
    selection: everything(),
    actor: member,
    now: fixture.clock.now(),
    ...args,
  });
}

/** Runs rounds until nothing is claimed any more. */
async function runAll(ctx = runnerContext()) {
  for (let round = 0; round < 50; round++) {
    const report = await runDueBulkItems(ctx, () => false);
    if (report.claimed === 0) return;
  }
  throw new Error("bulk items kept coming");
}

async function itemStatuses(jobId: string) {
  const rows = await fixture.db
    .select({ connectionId: bulkJobItems.connectionId, status: bulkJobItems.status, result: bulkJobItems.result })
    .from(bulkJobItems)
    .where(eq(bulkJobItems.jobId, jobId));
  return new Map(rows.map((row) => [row.connectionId, row]));
}

beforeAll(async () => {
  fixture = await lifecycleFixture();
});

afterAll(async () => {
  await fixture?.close();
});

beforeEach(async () => {
  await fixture.db.delete(bulkJobs);
  await fixture.reset();
  const email = `member-${randomUUID()}@example.test`;
  const [user] = await fixture.db
    .insert(users)
    .values({ email, apicbaseUserId: Math.floor(Math.random() * 1e9) })
    .returning({ id: users.id });
  member = { id: user!.id, email };
  await fixture.db.insert(memberships).values({ userId: member.id, organizationId: fixture.organizationId });
});

describe("a bulk verify", () => {
  it("verifies every connection the filter matches, as the person who started it, audited per connection", async () => {
    const ids = await fixture.insertConnections(3);
    const [revoked] = await fixture.insertConnections(1, {
      status: "revoked",
      accessTokenCiphertext: null,
      refreshTokenCiphertext: null,
      revokedAt: fixture.clock.now(),
    });
    const job = await startJob();
    // A revoked connection matches the filter but has nothing to verify: no item.
    expect(job).toMatchObject({ matched: 4, total: 3, status: "running" });

    await runAll();

    const view = await queryBulkJob(fixture.db, job.id);
    expect(view).toMatchObject({ status: "done", total: 3, progress: { done: 3, pending: 0, failed: 0 } });
    const audit = await fixture.db
      .select()
      .from(auditEvents)
      .where(inArray(auditEvents.connectionId, [...ids, revoked!]));
    for (const id of ids) {
      const mine = audit.filter((event) => event.connectionId === id);
      expect(mine.find((event) => event.event === "connection_verified")).toMatchObject({
        actorUserId: member.id,
        actorLabel: member.email,
        outcome: "success",
      });
      expect(mine.find((event) => event.event === "bulk_job_item")).toMatchObject({
        actorUserId: member.id,
        organizationId: fixture.organizationId,
        // The fixture's libraries are not the emulator's, so the token reaches "another" library: still done.
        detail: { jobId: job.id, action: "verify", status: "done", result: "other_library" },
      });
    }
    expect(audit.filter((event) => event.connectionId === revoked)).toEqual([]);
    const [started] = await fixture.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.event, "bulk_job_started"), eq(auditEvents.actorUserId, member.id)));
    expect(started?.detail).toMatchObject({ jobId: job.id, action: "verify", matched: 4, items: 3 });
  });

  it("takes only the organization's connections, whatever ids are selected", async () => {
    const [mine] = await fixture.insertConnections(1);
    const [other] = await fixture.db
      .insert(organizations)
      .values({ name: `Other ${randomUUID()}` })
      .returning({ id: organizations.id });
    const [foreign] = await fixture.insertConnections(1, { organizationId: other!.id });
    const job = await startJob({ selection: { kind: "selected", connectionIds: [mine!, foreign!] } });
    expect(job).toMatchObject({ matched: 1, total: 1 });
    expect([...(await itemStatuses(job.id)).keys()]).toEqual([mine]);
  });

  it("skips a connection of an organization the person no longer belongs to", async () => {
    await fixture.insertConnections(2);
    const job = await startJob();
    await fixture.db.delete(memberships).where(eq(memberships.userId, member.id));
    await runAll();
    const items = [...(await itemStatuses(job.id)).values()];
    expect(items.map((item) => [item.status, item.result])).toEqual([
      ["skipped", "not_allowed"],
      ["skipped", "not_allowed"],
    ]);
    const verified = await fixture.db.select().from(auditEvents).where(eq(auditEvents.event, "connection_verified"));
    expect(verified.filter((event) => event.actorUserId === member.id)).toEqual([]);
  });
});

describe("an admin's job", () => {
  it("acts on every organization for an admin by configured e-mail, bound to their Apicbase user", async () => {
    const [other] = await fixture.db
      .insert(organizations)
      .values({ name: `Other ${randomUUID()}` })
      .returning({ id: organizations.id });
    const [mine] = await fixture.insertConnections(1);
    const [theirs] = await fixture.insertConnections(1, { organizationId: other!.id });
    const apicbaseUserId = Math.floor(Math.random() * 1e9);
    const [admin] = await fixture.db
      .insert(users)
      .values({ email: "admin@example.test", apicbaseUserId })
      .onConflictDoUpdate({ target: users.email, set: { apicbaseUserId } })
      .returning({ id: users.id });
    const job = await startJob({
      organizationId: null,
      selection: { kind: "selected", connectionIds: [mine!, theirs!] },
      actor: { id: admin!.id, email: "admin@example.test" },
    });
    expect(job.total).toBe(2);
    // The e-mail is not bound to this Apicbase user (someone else signed in with it first): no admin rights.
    await fixture.db
      .insert(emailBindings)
      .values({ email: "admin@example.test", apicbaseUserId: apicbaseUserId + 1 })
      .onConflictDoUpdate({ target: emailBindings.email, set: { apicbaseUserId: apicbaseUserId + 1 } });
    expect((await runDueBulkItems(runnerContext(), () => false)).skipped).toBe(2);

    const again = await startJob({
      organizationId: null,
      selection: { kind: "selected", connectionIds: [mine!, theirs!] },
      actor: { id: admin!.id, email: "admin@example.test" },
    });
    await fixture.db.update(emailBindings).set({ apicbaseUserId }).where(eq(emailBindings.email, "admin@example.test"));
    await runAll();
    expect((await queryBulkJob(fixture.db, again.id))?.progress).toMatchObject({ done: 2, skipped: 0 });
  });
});

describe("cancelling", () => {
  it("stops the items that have not started; those done stay done, and the job says cancelled", async () => {
    await fixture.insertConnections(12);
    const job = await startJob();
    // One round claims a batch (8) and verifies it.
    const first = await runDueBulkItems(runnerContext(), () => false);
    expect(first.done).toBe(8);

    expect(await cancelBulkJob(fixture.db, { jobId: job.id, actor: member, now: fixture.clock.now() })).toBe(true);
    expect(await cancelBulkJob(fixture.db, { jobId: job.id, actor: member, now: fixture.clock.now() })).toBe(false);
    const after = await runDueBulkItems(runnerContext(), () => false);
    expect(after.claimed).toBe(0);

    const view = await queryBulkJob(fixture.db, job.id);
    expect(view).toMatchObject({
      status: "cancelled",
      cancelledBy: member.email,
      progress: { done: 8, cancelled: 4, pending: 0 },
    });
    expect(view?.finishedAt).not.toBeNull();
    const cancelled = await fixture.db.select().from(auditEvents).where(eq(auditEvents.event, "bulk_job_cancelled"));
    expect(cancelled.at(-1)).toMatchObject({ actorUserId: member.id, detail: { jobId: job.id } });
    const items = await queryBulkJobItems(fixture.db, job.id, 1, fixture.clock.now(), "cancelled");
    expect(items.total).toBe(4);
  });

  it("an item claimed before the cancel but not started is not run", async () => {
    await fixture.insertConnections(2);
    const job = await startJob();
    // The cancel lands while the runner holds its claims (PGlite runs it before the runner's next query): the check
    // before each item sees it.
    let calls = 0;
    const report = await runDueBulkItems(runnerContext(), () => {
      if (++calls === 2) void cancelBulkJob(fixture.db, { jobId: job.id, actor: member, now: fixture.clock.now() });
      return false;
    });
    expect(report.claimed).toBe(2);
    expect(report.done).toBe(0);
    const view = await queryBulkJob(fixture.db, job.id);
    expect(view?.status).toBe("cancelled");
    expect(view?.progress.done).toBe(0);
  });
});

describe("a draining process", () => {
  it("starts no item, and leaves what it claimed to the next run", async () => {
    await fixture.insertConnections(4);
    const job = await startJob();
    beginDrain();
    try {
      const drained = await runDueBulkItems(runnerContext());
      expect(drained.claimed).toBe(0);
    } finally {
      endDrainForTests();
    }
    // Halting after the claim: the claimed items go back untouched, their leases cleared.
    let calls = 0;
    const halted = await runDueBulkItems(runnerContext(), () => ++calls > 1);
    expect(halted).toMatchObject({ claimed: 4, released: 4, done: 0 });
    const pending = await fixture.db
      .select({ lease: bulkJobItems.leaseOwner, attempts: bulkJobItems.attempts })
      .from(bulkJobItems)
      .where(eq(bulkJobItems.jobId, job.id));
    expect(pending).toEqual(Array.from({ length: 4 }, () => ({ lease: null, attempts: 0 })));

    await runAll(runnerContext({ owner: "bulk:next-process" }));
    expect((await queryBulkJob(fixture.db, job.id))?.progress).toMatchObject({ done: 4, pending: 0 });
  });

  it("an item whose process died is taken up again once its lease ran out", async () => {
    await fixture.insertConnections(1);
    const job = await startJob();
    // A process claimed it and died.
    await fixture.db
      .update(bulkJobItems)
      .set({ leaseOwner: "bulk:dead", leaseExpiresAt: new Date(fixture.clock.now().getTime() + 60_000), attempts: 1 })
      .where(eq(bulkJobItems.jobId, job.id));
    expect((await runDueBulkItems(runnerContext(), () => false)).claimed).toBe(0);
    fixture.clock.advanceLocal(61_000);
    await runAll();
    expect((await queryBulkJob(fixture.db, job.id))?.status).toBe("done");
  });
});

describe("a bulk refresh", () => {
  it("refreshes no more at once than the shared budget grants, and the rest later", async () => {
    await fixture.insertConnections(5);
    const job = await startJob({ action: "refresh" });
    const budget = { perMinute: 2, burst: 2 };
    const first = await runDueBulkItems(runnerContext({ budget }), () => false);
    expect(first.done).toBe(2);
    expect(first.refreshWaitMs).toBeNull();
    const second = await runDueBulkItems(runnerContext({ budget }), () => false);
    expect(second.claimed).toBe(0);
    expect(second.refreshWaitMs).toBeGreaterThan(0);
    // A minute later the budget has two more.
    fixture.clock.advanceLocal(60_000);
    await fixture.clock.sync();
    expect((await runDueBulkItems(runnerContext({ budget }), () => false)).done).toBe(2);
    const refreshed = await fixture.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.event, "connection_refreshed"), eq(auditEvents.actorUserId, member.id)));
    expect(refreshed).toHaveLength(4);
    expect(refreshed[0]).toMatchObject({ actorUserId: member.id, detail: { trigger: "bulk" } });
    expect((await queryBulkJob(fixture.db, job.id))?.progress).toMatchObject({ done: 4, pending: 1 });
  });

  it("waits while Apicbase asked everyone to (Retry-After)", async () => {
    await fixture.insertConnections(1);
    await startJob({ action: "refresh" });
    await fixture.db
      .insert(refreshControl)
      .values({ id: "apicbase", pausedUntil: new Date(fixture.clock.now().getTime() + 30_000) })
      .onConflictDoUpdate({
        target: refreshControl.id,
        set: { pausedUntil: new Date(fixture.clock.now().getTime() + 30_000) },
      });
    const report = await runDueBulkItems(runnerContext(), () => false);
    expect(report.claimed).toBe(0);
    expect(report.refreshWaitMs).toBeGreaterThan(20_000);
  });
});

describe("bulk re-authorization links", () => {
  it("makes a working link for each connection that needs one, kept sealed for the owners' list", async () => {
    const [broken1, broken2] = await fixture.insertConnections(2, { status: "needs_reauthorization" });
    await fixture.insertConnections(1);
    // An application without a redirect URL cannot bring a link's approval back.
    const [desk] = await fixture.db
      .insert(applications)
      .values({
        name: `Desk ${randomUUID()}`,
        clientId: `desk-${randomUUID()}`,
        clientSecretCiphertext: "never opened here",
        source: "registered",
        redirectMode: "oob",
      })
      .returning({ id: applications.id });
    const [oob] = await fixture.insertConnections(1, { status: "needs_reauthorization", applicationId: desk!.id });
    const job = await startJob({
      action: "reauthorization_links",
      selection: everything({ status: "needs_reauthorization" }),
    });
    expect(job).toMatchObject({ matched: 3, total: 3 });
    await runAll();

    const items = await itemStatuses(job.id);
    expect(items.get(broken1!)).toMatchObject({ status: "done", result: "link_created" });
    expect(items.get(broken2!)).toMatchObject({ status: "done", result: "link_created" });
    expect(items.get(oob!)).toMatchObject({ status: "skipped", result: "no_redirect" });

    const page = await queryBulkJobItems(fixture.db, job.id, 1, fixture.clock.now());
    const made = page.items.filter((item) => item.result === "link_created");
    expect(made).toHaveLength(2);
    // An item that made no link has none (not a link of nulls).
    expect(page.items.find((item) => item.result === "no_redirect")?.link).toBeNull();
    expect(made[0]!.link?.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const item of made) {
      expect(item.link?.state).toBe("open");
      const token = decryptSecret(fixture.keyring, item.linkCiphertext!, bulkLinkAad(item.id));
      const link = await findLink(fixture.db, token, fixture.clock.now());
      expect(link).toMatchObject({ kind: "reauthorize", state: "open", libraryId: item.libraryId });
    }
    const created = await fixture.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.event, "authorization_link_created"));
    expect(created.map((event) => event.connectionId).sort()).toEqual([broken1, broken2].sort());
    expect(created[0]).toMatchObject({ actorUserId: member.id, detail: { kind: "reauthorize", bulkJobId: job.id } });
    // The secret itself is nowhere in plain text.
    const stored = await fixture.db.select().from(bulkJobItems).where(eq(bulkJobItems.jobId, job.id));
    const audit = JSON.stringify(await fixture.db.select().from(auditEvents));
    for (const item of made) {
      const token = decryptSecret(fixture.keyring, item.linkCiphertext!, bulkLinkAad(item.id));
      expect(JSON.stringify(stored)).not.toContain(token);
      expect(audit).not.toContain(token);
    }
  });

  it("skips a connection re-authorized since the job was started", async () => {
    const [broken] = await fixture.insertConnections(1, { status: "needs_reauthorization" });
    const job = await startJob({ action: "reauthorization_links" });
    await fixture.db.update(connections).set({ status: "active" }).where(eq(connections.id, broken!));
    await runAll();
    expect((await itemStatuses(job.id)).get(broken!)).toMatchObject({ status: "skipped", result: "not_needed" });
  });
});

describe("a bulk revoke", () => {
  it("revokes each connection with the one reason", async () => {
    const ids = await fixture.insertConnections(2);
    const job = await startJob({
      action: "revoke",
      selection: { kind: "selected", connectionIds: ids },
      reason: "Customer ended the contract",
    });
    await runAll();
    const rows = await fixture.db.select().from(connections).where(inArray(connections.id, ids));
    for (const row of rows) {
      expect(row).toMatchObject({
        status: "revoked",
        revokeReason: "Customer ended the contract",
        revokedByUserId: member.id,
        accessTokenCiphertext: null,
      });
    }
    expect((await queryBulkJob(fixture.db, job.id))?.progress.done).toBe(2);
  });
});
