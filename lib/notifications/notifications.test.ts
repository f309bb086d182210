import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it } from "vitest";
import { completeAuthorization } from "@/lib/connections/service";
import { disconnectConnection } from "@/lib/connections/revoke";
import { notificationEvents, organizations, webhookDeliveries, webhookEndpoints } from "@/lib/db/schema";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import type { LifecycleFixture } from "@/testing/lifecycle-fixtures";
import { refreshAfterRevokedGrant, useLifecycleFixture } from "@/testing/lifecycle-suite";
import { suiteResource } from "@/testing/suite";
import { SANDBOX_PARTNER_APP } from "@/lib/sandbox";
import { deliverDue, DISABLE_AFTER_MS, type DeliveryContext } from "./deliverer";
import { enqueueConnectionEvent, type EventPayload } from "./events";
import {
  createEndpoint,
  deleteEndpoint,
  deliveryLog,
  resendDelivery,
  rotateSecret,
  sendTestEvent,
  setEndpointEnabled,
} from "./endpoints";
import { postWebhook } from "./send";

type Received = { headers: IncomingHttpHeaders; body: string; payload: EventPayload };

/** A receiver on loopback that records every POST and answers with the next queued status (200 when none). */
async function receiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: request.headers, body, payload: JSON.parse(body) as EventPayload });
      response.statusCode = statuses.shift() ?? 200;
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { received, statuses, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const verify = (secret: string, delivery: Received) =>
  new Webhook(secret).verify(delivery.body, {
    "webhook-id": String(delivery.headers["webhook-id"]),
    "webhook-timestamp": String(delivery.headers["webhook-timestamp"]),
    "webhook-signature": String(delivery.headers["webhook-signature"]),
  });

describe("webhook notifications", () => {
  let fixture: LifecycleFixture;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let secret = "";
  let endpointId = "";
  const actor = { system: "test" };

  const delivery = (overrides: Partial<DeliveryContext> = {}): DeliveryContext => ({
    db: fixture.db,
    keyring: fixture.keyring,
    now: fixture.clock.now,
    owner: "test-deliverer",
    allowPrivate: true,
    timeoutMs: 2000,
    ...overrides,
  });

  useLifecycleFixture((created) => (fixture = created));
  suiteResource(receiver, (server) => (hook = server));
  beforeEach(async () => {
    hook.received.length = 0;
    hook.statuses.length = 0;
    const created = await createEndpoint(fixture.db, fixture.keyring, {
      organizationId: fixture.organizationId,
      url: hook.url,
      eventTypes: [
        "connection.needs_reauthorization",
        "connection.recovered",
        "connection.reauthorized",
        "connection.revoked",
        "connection.refresh_failing",
      ],
      actor,
    });
    secret = created.secret;
    endpointId = created.id;
  });

  it("a revoked grant met by the background refresh sends connection.needs_reauthorization once, signed, without a token", async () => {
    const id = await fixture.connection();
    const tokens = await fixture.mint();
    await fixture.control.revokeGrant({ email: "nora@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
    await fixture.makeDue([id]);
    const ctx = fixture.context();
    const first = await refreshConnection(
      ctx,
      { organizationId: fixture.organizationId, connectionId: id },
      { kind: "background" },
    );
    expect(first).toMatchObject({ ok: false, apicbaseError: "invalid_grant" });
    // Asking again changes nothing and tells nobody again.
    await refreshConnection(ctx, { organizationId: fixture.organizationId, connectionId: id }, { kind: "manual" });
    const report = await deliverDue(delivery());
    expect(report).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await deliverDue(delivery())).toMatchObject({ claimed: 0 });

    expect(hook.received).toHaveLength(1);
    const [sent] = hook.received;
    expect(verify(secret, sent!)).toMatchObject({ type: "connection.needs_reauthorization" });
    expect(sent!.headers["webhook-id"]).toBe(sent!.payload.id);
    expect(sent!.payload.data).toMatchObject({
      organization: { id: fixture.organizationId },
      connection: { id, status: "needs_reauthorization", scopes: ["accounts", "library"] },
      apicbase_error: "invalid_grant",
    });
    expect(sent!.payload.data.reason).toMatch(/re-authori[sz]e|no longer accepts/i);
    const row = await fixture.row(id);
    for (const secretText of [
      tokens.accessToken,
      tokens.refreshToken,
      row.accessTokenCiphertext!,
      row.refreshTokenCiphertext!,
    ]) {
      expect(sent!.body).not.toContain(secretText);
    }
    expect(sent!.body).not.toMatch(/(?<![A-Za-z0-9_-])[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/);

    // Re-authorizing: reauthorized and recovered, in that order.
    const minted = await fixture.mint();
    const result = await completeAuthorization(ctx, {
      organizationId: fixture.organizationId,
      applicationId: fixture.applicationId,
      tokens: minted,
      library: {
        id: row.libraryId,
        name: row.libraryName,
        status: "active",
        user: { id: 1, email: "nora@sandbox.test", firstName: "Nora", lastName: "Nord" },
      },
      reauthorizeConnectionId: id,
    });
    expect(result).toMatchObject({ ok: true, outcome: "reauthorized" });
    await deliverDue(delivery());
    // The two events of one re-authorization are written in one transaction: receivers get both, in either order.
    expect(hook.received[0]!.payload.type).toBe("connection.needs_reauthorization");
    expect(
      hook.received
        .slice(1)
        .map((r) => r.payload.type)
        .sort(),
    ).toEqual(["connection.reauthorized", "connection.recovered"]);
    const recovered = hook.received.find((r) => r.payload.type === "connection.recovered")!;
    expect(recovered.payload.data.connection).toMatchObject({ status: "active" });
    hook.received.forEach((r) => verify(secret, r));

    // Disconnecting: connection.revoked, with the reason.
    await disconnectConnection(ctx, {
      organizationId: fixture.organizationId,
      connectionId: id,
      reason: "customer left",
    });
    await deliverDue(delivery());
    expect(hook.received.at(-1)!.payload).toMatchObject({
      type: "connection.revoked",
      data: { reason: "customer left", connection: { status: "revoked" } },
    });
  });

  it("a state change that rolls back writes no event", async () => {
    const id = await fixture.connection();
    await expect(
      fixture.db.transaction(async (tx) => {
        await enqueueConnectionEvent(tx, { type: "connection.revoked", connectionId: id, now: fixture.clock.now() });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(
      await fixture.db
        .select()
        .from(notificationEvents)
        .where(eq(notificationEvents.organizationId, fixture.organizationId)),
    ).toHaveLength(0);
    expect(await deliverDue(delivery())).toMatchObject({ claimed: 0 });
  });

  it("a receiver answering 500 gets the event again after a backoff, with the same webhook-id; the log shows both attempts", async () => {
    const id = await fixture.connection();
    hook.statuses.push(500);
    await fixture.db.transaction((tx) =>
      enqueueConnectionEvent(tx, { type: "connection.refresh_failing", connectionId: id, now: fixture.clock.now() }),
    );
    expect(await deliverDue(delivery())).toMatchObject({ claimed: 1, failed: 1 });
    const [pending] = await deliveryLog(fixture.db, { organizationId: fixture.organizationId, endpointId });
    expect(pending).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500, lastError: "http_500" });
    const wait = pending!.nextAttemptAt!.getTime() - fixture.clock.now().getTime();
    expect(wait).toBeGreaterThan(3_000);
    expect(wait).toBeLessThan(7_000);
    // Not before its time.
    expect(await deliverDue(delivery())).toMatchObject({ claimed: 0 });
    fixture.clock.advanceLocal(wait + 1);
    expect(await deliverDue(delivery())).toMatchObject({ claimed: 1, delivered: 1 });
    expect(hook.received).toHaveLength(2);
    expect(new Set(hook.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    hook.received.forEach((r) => verify(secret, r));
    const [done] = await deliveryLog(fixture.db, { organizationId: fixture.organizationId, endpointId });
    expect(done).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200, nextAttemptAt: null });

    // Resend: once more, same id.
    expect(
      await resendDelivery(fixture.db, {
        organizationId: fixture.organizationId,
        deliveryId: done!.id,
        now: fixture.clock.now(),
      }),
    ).toBe(true);
    await deliverDue(delivery());
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
  });

  it("during a secret rotation both secrets verify every delivery, and the old one stops after 24 h", async () => {
    const rotated = await rotateSecret(fixture.db, fixture.keyring, {
      organizationId: fixture.organizationId,
      endpointId,
      actor,
      now: fixture.clock.now(),
    });
    expect(rotated!.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotated!.secret).not.toBe(secret);
    await sendTestEvent(fixture.db, { organizationId: fixture.organizationId, endpointId, now: fixture.clock.now() });
    await deliverDue(delivery());
    expect(hook.received).toHaveLength(1);
    expect(String(hook.received[0]!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verify(secret, hook.received[0]!)).toMatchObject({ type: "webhook.test" });
    expect(verify(rotated!.secret, hook.received[0]!)).toMatchObject({ type: "webhook.test" });

    fixture.clock.advanceLocal(24 * 3600_000 + 1000);
    await sendTestEvent(fixture.db, { organizationId: fixture.organizationId, endpointId, now: fixture.clock.now() });
    await deliverDue(delivery());
    const late = hook.received[1]!;
    // One signature now, by the new secret. (Compared directly: a receiver would also refuse the moved clock's timestamp.)
    const signature = String(late.headers["webhook-signature"]);
    expect(signature.split(" ")).toHaveLength(1);
    const id = String(late.headers["webhook-id"]);
    const timestamp = new Date(Number(late.headers["webhook-timestamp"]) * 1000);
    expect(new Webhook(rotated!.secret).sign(id, timestamp, late.body)).toBe(signature);
    expect(new Webhook(secret).sign(id, timestamp, late.body)).not.toBe(signature);
  });

  it("a process killed after the state change, before delivery: another process delivers the event exactly once", async () => {
    const id = await fixture.connection();
    await refreshAfterRevokedGrant(fixture, [id]);
    // The first process claimed the delivery and died mid-send: its lease stays behind.
    const [claimed] = await fixture.db
      .update(webhookDeliveries)
      .set({ leaseOwner: "dead-process", leaseExpiresAt: new Date(fixture.clock.now().getTime() + 60_000) })
      .returning();
    expect(claimed).toBeDefined();
    const other = delivery({ owner: "restarted-process" });
    expect(await deliverDue(other)).toMatchObject({ claimed: 0 });
    fixture.clock.advanceLocal(61_000);
    expect(await Promise.all([deliverDue(other), deliverDue(delivery({ owner: "third-process" }))])).toEqual(
      expect.arrayContaining([expect.objectContaining({ delivered: 1 })]),
    );
    fixture.clock.advanceLocal(3600_000);
    await deliverDue(other);
    expect(hook.received).toHaveLength(1);
    expect(new Set(hook.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
  });

  it("another organization's endpoints never receive the event, and its ids change nothing here", async () => {
    const other = await receiver();
    try {
      const [otherOrg] = await fixture.db
        .insert(organizations)
        .values({ name: `Other ${crypto.randomUUID()}` })
        .returning();
      const theirs = await createEndpoint(fixture.db, fixture.keyring, {
        organizationId: otherOrg!.id,
        url: other.url,
        eventTypes: ["connection.revoked"],
        actor,
      });
      const id = await fixture.connection();
      await disconnectConnection(fixture.context(), {
        organizationId: fixture.organizationId,
        connectionId: id,
        reason: "testing isolation",
      });
      await deliverDue(delivery());
      expect(hook.received.map((r) => r.payload.type)).toEqual(["connection.revoked"]);
      expect(other.received).toHaveLength(0);

      // Our organization acting on their endpoint: refused, nothing changes.
      const ours = fixture.organizationId;
      const before = await fixture.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, theirs.id));
      expect(
        await rotateSecret(fixture.db, fixture.keyring, {
          organizationId: ours,
          endpointId: theirs.id,
          actor,
          now: fixture.clock.now(),
        }),
      ).toBeNull();
      expect(
        await setEndpointEnabled(fixture.db, {
          organizationId: ours,
          endpointId: theirs.id,
          enabled: false,
          actor,
          now: fixture.clock.now(),
        }),
      ).toBe(false);
      expect(
        await sendTestEvent(fixture.db, { organizationId: ours, endpointId: theirs.id, now: fixture.clock.now() }),
      ).toBeNull();
      expect(await deleteEndpoint(fixture.db, { organizationId: ours, endpointId: theirs.id, actor })).toBe(false);
      expect(await deliveryLog(fixture.db, { organizationId: ours, endpointId: theirs.id })).toEqual([]);
      expect(await fixture.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, theirs.id))).toEqual(
        before,
      );
      await deliverDue(delivery());
      expect(other.received).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("an endpoint failing for 3 days is disabled", async () => {
    const id = await fixture.connection();
    hook.statuses.push(...Array(50).fill(503));
    await fixture.db.transaction((tx) =>
      enqueueConnectionEvent(tx, { type: "connection.refresh_failing", connectionId: id, now: fixture.clock.now() }),
    );
    await deliverDue(delivery());
    const [failing] = await fixture.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
    expect(failing!.failingSince).not.toBeNull();
    fixture.clock.advanceLocal(DISABLE_AFTER_MS);
    await fixture.db.transaction((tx) =>
      enqueueConnectionEvent(tx, { type: "connection.refresh_failing", connectionId: id, now: fixture.clock.now() }),
    );
    await deliverDue(delivery());
    const [disabled] = await fixture.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
    expect(disabled).toMatchObject({ disabledReason: "failing" });
    expect(disabled!.disabledAt).not.toBeNull();
  });

  it("SSRF: outside the sandbox, hosts resolving to loopback, private or metadata addresses are refused before any request", async () => {
    for (const address of [
      "127.0.0.1",
      "10.0.0.1",
      "10.255.1.2",
      "169.254.169.254",
      "::1",
      "::ffff:10.0.0.1",
      "192.168.1.1",
      "172.16.0.1",
    ]) {
      const outcome = await postWebhook({
        url: "https://receiver.example.com/hook",
        body: "{}",
        headers: {},
        allowPrivate: false,
        resolve: async () => [{ address, family: address.includes(":") ? 6 : 4 }],
      });
      expect(outcome, address).toMatchObject({ ok: false, error: "blocked_address" });
    }
    // One bad address among good ones is enough to refuse (a receiver does not pick the address).
    const mixed = await postWebhook({
      url: "https://receiver.example.com/hook",
      body: "{}",
      headers: {},
      allowPrivate: false,
      resolve: async () => [
        { address: "93.184.216.34", family: 4 },
        { address: "127.0.0.1", family: 4 },
      ],
    });
    expect(mixed).toMatchObject({ ok: false, error: "blocked_address" });
    // The loopback receiver is reached only where private receivers are allowed.
    const local = await postWebhook({ url: hook.url, body: "{}", headers: {}, allowPrivate: false });
    expect(local).toMatchObject({ ok: false, error: "blocked_address" });
    expect(hook.received).toHaveLength(0);
  });

  it("a 3xx answer is not followed and counts as a failure; a slow receiver times out", async () => {
    const server = createServer((request, response) => {
      if (request.url === "/slow") return; // never answers
      response.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await postWebhook({ url: `${base}/redirect`, body: "{}", headers: {}, allowPrivate: true })).toMatchObject(
        { ok: false, statusCode: 302, error: "redirect" },
      );
      const slow = await postWebhook({
        url: `${base}/slow`,
        body: "{}",
        headers: {},
        allowPrivate: true,
        timeoutMs: 300,
      });
      expect(slow).toMatchObject({ ok: false, error: "timeout" });
      expect(slow.durationMs).toBeLessThan(2000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("a disabled endpoint gets nothing until it is enabled again", async () => {
    await setEndpointEnabled(fixture.db, {
      organizationId: fixture.organizationId,
      endpointId,
      enabled: false,
      actor,
      now: fixture.clock.now(),
    });
    const id = await fixture.connection();
    await disconnectConnection(fixture.context(), {
      organizationId: fixture.organizationId,
      connectionId: id,
      reason: "while disabled",
    });
    expect(await deliverDue(delivery())).toMatchObject({ claimed: 0 });
    expect(
      await fixture.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId)),
    ).toHaveLength(0);
  });
});
