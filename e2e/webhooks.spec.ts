import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type BrowserContext, type Page, type Request } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { EmulatorControl } from "../emulator/testing";
import { answerConsent, replayServerAction, createOrganization, screenshot, signIn } from "./journey";
import { EMULATOR_URL, PORTAL_URL } from "./urls";

/**
 * Webhooks end to end: a member adds an endpoint whose receiver runs here on loopback and verifies every delivery
 * with the `standardwebhooks` library; a lost rotation, a re-authorization and a disconnect are each told once; a
 * receiver answering 500 gets the event again; during a secret rotation both secrets verify; and another
 * organization neither receives the events nor can touch the endpoint.
 */
test.describe.configure({ mode: "serial" });

const emulator = new EmulatorControl(EMULATOR_URL);
const NOT_YOURS = "Only members of this organization can manage its webhooks.";

type Delivery = {
  headers: IncomingHttpHeaders;
  body: string;
  type: string;
  organizationId: string;
  connectionId: string | null;
  verifiedWith: string[];
};

/** A receiver on loopback: records every POST, checks its signature against the secrets it knows, answers the queued statuses. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  readonly secrets: string[] = [];
  readonly statuses: number[] = [];
  private server: Server | undefined;
  url = "";

  async start() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const headers = {
          "webhook-id": String(request.headers["webhook-id"]),
          "webhook-timestamp": String(request.headers["webhook-timestamp"]),
          "webhook-signature": String(request.headers["webhook-signature"]),
        };
        const verifiedWith = this.secrets.filter((secret) => {
          try {
            new Webhook(secret).verify(body, headers);
            return true;
          } catch {
            return false;
          }
        });
        const payload = JSON.parse(body) as {
          type: string;
          data: { organization: { id: string }; connection: { id: string } | null };
        };
        this.deliveries.push({
          headers: request.headers,
          body,
          type: payload.type,
          organizationId: payload.data.organization.id,
          connectionId: payload.data.connection?.id ?? null,
          verifiedWith,
        });
        // A delivery that does not verify is refused, as a real receiver would.
        response.statusCode = verifiedWith.length === 0 ? 401 : (this.statuses.shift() ?? 204);
        response.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/apicbase-webhooks`;
  }

  types(connectionId?: string) {
    return this.deliveries.filter((d) => !connectionId || d.connectionId === connectionId).map((d) => d.type);
  }

  close() {
    this.server?.closeAllConnections();
    return new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const receiver = new Receiver();
const elsewhere = new Receiver();
let context: BrowserContext;
let page: Page;
let organizationId = "";
let connectionId = "";
let firstSecret = "";
/** sam's own action requests, replayed later with another organization's session. */
const captured = new Map<string, Request>();
let capturing: string | null = null;
let partnerContext: BrowserContext;
let partner: Page;

const endpointCard = () => page.getByRole("region", { name: receiver.url, exact: true });
const log = () => endpointCard().getByRole("region", { name: `Deliveries to ${receiver.url}` });

test.beforeAll(async ({ browser }) => {
  await receiver.start();
  context = await browser.newContext();
  page = await context.newPage();
  // An organization of this journey's own, with sam as its member.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin");
  const name = `Webhooks ${Date.now().toString(36)}`;
  organizationId = await createOrganization(admin, name);
  const card = admin.getByRole("region", { name });
  await card.getByLabel(`Add a member to ${name}`).fill("sam@sandbox.test");
  await card.getByRole("button", { name: "Add member" }).click();
  await expect(card.getByRole("status")).toContainText("sam@sandbox.test");
  await admin.context().close();

  // The partner's organization has an endpoint of its own from the start: it must hear nothing of sam's.
  await elsewhere.start();
  partnerContext = await browser.newContext();
  partner = await partnerContext.newPage();
  await signIn(partner, "partner");
  await partner.goto("/webhooks");
  const form = partner.getByRole("region", { name: "Add an endpoint" });
  await form.getByLabel("Endpoint URL").fill(elsewhere.url);
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(form.getByRole("status")).toContainText("Added");
  elsewhere.secrets.push(await form.getByRole("textbox", { name: "Signing secret" }).inputValue());
});

test.afterAll(async () => {
  await emulator.clearFaults().catch(() => undefined);
  await context?.close();
  await partnerContext?.close();
  await receiver.close();
  await elsewhere.close();
});

test("a member adds an endpoint, sees its secret once, and a test event arrives signed with it", async () => {
  await signIn(page, "sam");
  await page.goto(`/webhooks?organization=${organizationId}`);
  await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
  await expect(page.getByText("No endpoints yet")).toBeVisible();

  // Bad input is refused at its field and adds nothing.
  const form = page.getByRole("region", { name: "Add an endpoint" });
  await form.getByLabel("Endpoint URL").fill("ftp://example.com/hook");
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(form.getByLabel("Endpoint URL")).toHaveAccessibleDescription(/Use an https:\/\/ URL/);
  await form.getByLabel("Endpoint URL").fill(receiver.url);
  for (const box of await form.getByRole("checkbox").all()) await box.uncheck();
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(form.getByRole("group", { name: "Events to send" })).toHaveAccessibleDescription(
    "Choose at least one event to send.",
  );
  await expect(page.getByText("No endpoints yet")).toBeVisible();

  for (const box of await form.getByRole("checkbox").all()) await box.check();
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(form.getByRole("status")).toContainText(`Added ${receiver.url}`);
  firstSecret = await form.getByRole("textbox", { name: "Signing secret" }).inputValue();
  expect(firstSecret).toMatch(/^whsec_[A-Za-z0-9+/=]{44}$/);
  receiver.secrets.push(firstSecret);
  await screenshot(page, "webhooks-added");

  // Shown once: a reload no longer has it.
  await page.reload();
  await expect(page.getByRole("textbox", { name: "Signing secret" })).toHaveCount(0);
  expect(await page.content()).not.toContain(firstSecret);

  await page.route(
    (url) => url.pathname === "/webhooks",
    async (route) => {
      const request = route.request();
      if (request.method() === "POST" && capturing) {
        captured.set(capturing, request);
        capturing = null;
      }
      await route.continue();
    },
  );
  capturing = "test";
  await endpointCard()
    .getByRole("button", { name: `Send test event to ${receiver.url}` })
    .click();
  await expect.poll(() => receiver.types()).toEqual(["webhook.test"]);
  expect(receiver.deliveries[0]!.verifiedWith).toEqual([firstSecret]);
  await page.reload();
  await expect(log().getByRole("row").nth(1)).toContainText("webhook.test");
  await expect(log().getByRole("row").nth(1)).toContainText("Delivered");
  await expect(log().getByRole("row").nth(1)).toContainText("HTTP 204");
  await screenshot(page, "webhooks-test-delivered");
});

test("connecting, a lost rotation, re-authorizing: created, needs_reauthorization once, then reauthorized and recovered", async () => {
  await page.goto(`/connections?organization=${organizationId}`);
  await page.getByRole("button", { name: "Connect a library" }).click();
  await answerConsent(page);
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?notice=connected$/);
  connectionId = new URL(page.url()).pathname.split("/").pop()!;
  await expect.poll(() => receiver.types(connectionId)).toEqual(["connection.created"]);

  // Apicbase rotates the tokens and the answer is lost on the way.
  await emulator.fault({ endpoint: "token", mode: "drop_after_commit" });
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(page.locator("main h1 + [data-status]")).toHaveText("Needs re-authorization");
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(page.getByRole("status", { name: "Result of the last action" })).toContainText("needs re-authorization");
  await expect
    .poll(() => receiver.types(connectionId))
    .toEqual(["connection.created", "connection.needs_reauthorization"]);
  const told = receiver.deliveries.find((d) => d.type === "connection.needs_reauthorization")!;
  expect(JSON.parse(told.body)).toMatchObject({
    data: {
      connection: { id: connectionId, status: "needs_reauthorization", library: { id: 104 } },
      apicbase_error: "lost_rotation",
      organization: { id: organizationId },
    },
  });

  await page.getByRole("button", { name: "Re-authorize" }).click();
  await answerConsent(page);
  await expect(page).toHaveURL(`${PORTAL_URL}/connections/${connectionId}?notice=reauthorized`);
  await expect
    .poll(() => receiver.types(connectionId))
    .toEqual([
      "connection.created",
      "connection.needs_reauthorization",
      "connection.reauthorized",
      "connection.recovered",
    ]);
  // Still exactly one needs_reauthorization after all of it.
  await page.waitForTimeout(1500);
  expect(receiver.types(connectionId).filter((type) => type === "connection.needs_reauthorization")).toHaveLength(1);
});

test("a receiver answering 500 gets the event again after a backoff, with the same webhook-id, and the log shows it", async () => {
  receiver.statuses.push(500);
  const before = receiver.deliveries.length;
  await page.goto(`/webhooks?organization=${organizationId}`);
  await endpointCard()
    .getByRole("button", { name: `Send test event to ${receiver.url}` })
    .click();
  await expect.poll(() => receiver.deliveries.length).toBe(before + 1);
  await page.reload();
  await expect(log().getByRole("row").nth(1)).toContainText("Retrying");
  await expect(log().getByRole("row").nth(1)).toContainText("HTTP 500");
  await screenshot(page, "webhooks-retrying");
  await expect.poll(() => receiver.deliveries.length, { timeout: 20_000 }).toBe(before + 2);
  const [failed, retried] = receiver.deliveries.slice(before);
  expect(retried!.headers["webhook-id"]).toBe(failed!.headers["webhook-id"]);
  await page.reload();
  await expect(log().getByRole("row").nth(1)).toContainText("Delivered");
  await expect(log().getByRole("row").nth(1).getByRole("cell").nth(3)).toHaveText("2");
});

test("during a secret rotation both secrets verify each delivery", async () => {
  capturing = "rotate";
  await endpointCard()
    .getByRole("button", { name: `Rotate secret of ${receiver.url}` })
    .click();
  await expect(
    endpointCard().getByRole("status").filter({ hasText: "A new signing secret signs from now on" }),
  ).toBeVisible();
  const secondSecret = await endpointCard().getByRole("textbox", { name: "Signing secret" }).inputValue();
  expect(secondSecret).toMatch(/^whsec_/);
  expect(secondSecret).not.toBe(firstSecret);
  receiver.secrets.push(secondSecret);
  await page.reload();
  await expect(endpointCard()).toContainText("Secret rotation under way: the previous secret also signs until");
  const before = receiver.deliveries.length;
  await endpointCard()
    .getByRole("button", { name: `Send test event to ${receiver.url}` })
    .click();
  await expect.poll(() => receiver.deliveries.length).toBe(before + 1);
  expect(receiver.deliveries.at(-1)!.verifiedWith).toEqual([firstSecret, secondSecret]);
  await screenshot(page, "webhooks-rotation");
});

test("disconnecting sends connection.revoked; every delivery verified, one webhook-id per event", async () => {
  await page.goto(`/connections/${connectionId}`);
  await page.getByRole("button", { name: "Revoke", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Reason").fill("Webhook journey done");
  await dialog.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(page.locator("main h1 + [data-status]")).toHaveText("Revoked");
  await expect.poll(() => receiver.types(connectionId).at(-1)).toBe("connection.revoked");
  expect(JSON.parse(receiver.deliveries.at(-1)!.body)).toMatchObject({
    data: { reason: "Webhook journey done", connection: { status: "revoked" } },
  });

  for (const delivery of receiver.deliveries) expect(delivery.verifiedWith.length, delivery.type).toBeGreaterThan(0);
  const connectionEvents = receiver.deliveries.filter((d) => d.connectionId === connectionId);
  expect(new Set(connectionEvents.map((d) => d.headers["webhook-id"])).size).toBe(connectionEvents.length);
  // Never a token: the emulator's are 30 characters of [A-Za-z0-9].
  for (const delivery of receiver.deliveries)
    expect(delivery.body).not.toMatch(/(?<![A-Za-z0-9_-])[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/);
});

test("another organization gets none of these events and can neither see, test nor rotate this endpoint", async () => {
  expect(elsewhere.deliveries.filter((d) => d.organizationId === organizationId)).toEqual([]);
  expect(receiver.deliveries.filter((d) => d.organizationId !== organizationId)).toEqual([]);

  // Not visible.
  const opened = await partner.goto(`/webhooks?organization=${organizationId}`);
  expect(opened?.status()).toBe(404);
  await expect(partner.locator("body")).not.toContainText(receiver.url);

  // Not actionable: sam's own requests, replayed with the partner's session.
  const replay = (request: Request) => replayServerAction(partner.request, request);
  const before = receiver.deliveries.length;
  for (const name of ["test", "rotate"]) {
    const request = captured.get(name);
    expect(request, `a captured ${name} request`).toBeDefined();
    const answer = await (await replay(request!)).text();
    expect(answer, name).toContain(NOT_YOURS);
    expect(answer, name).not.toMatch(/whsec_/);
  }
  await page.waitForTimeout(2000);
  expect(receiver.deliveries.length).toBe(before);

  // Nothing changed for sam: still enabled, still signing with the same two secrets.
  await page.goto(`/webhooks?organization=${organizationId}`);
  await expect(endpointCard()).toContainText("Enabled");
  await expect(endpointCard()).toContainText("Secret rotation under way");
  await endpointCard()
    .getByRole("button", { name: `Send test event to ${receiver.url}` })
    .click();
  await expect.poll(() => receiver.deliveries.length).toBe(before + 1);
  expect(receiver.deliveries.at(-1)!.verifiedWith).toHaveLength(2);
  expect(elsewhere.deliveries.filter((d) => d.organizationId === organizationId)).toEqual([]);
});
