/**
 * The sandbox survives a restart: an emulator of this journey's own, keeping its state in a directory, is stopped and
 * started again while a portal of this journey's own (its own database) holds a connection; Verify still finds the
 * tokens active. Deleting the directory starts the sandbox over, and the portal then says it was reset, not revoked.
 * Own servers on free ports, so the shared emulator of the other journeys is never stopped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { demoUser, screenshot } from "./journey";
import { freePort } from "../testing/ports";

test.describe.configure({ mode: "serial" });

const root = mkdtempSync(path.join(tmpdir(), "apicbase-sandbox-restart-"));
const stateDir = path.join(root, "emulator");
const log = createWriteStream(path.join(root, "servers.log"));
let emulatorPort = 0;
let portalPort = 0;
let emulatorUrl = "";
let portalUrl = "";
let emulator: ChildProcess | undefined;
let portal: ChildProcess | undefined;
let page: Page;

function run(command: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return child;
}

async function startEmulator(): Promise<void> {
  const child = run("node_modules/.bin/tsx", ["emulator/main.ts"], {
    EMULATOR_PORT: String(emulatorPort),
    EMULATOR_HOST: "127.0.0.1",
    EMULATOR_STATE_DIR: stateDir,
    PORTAL_URL: portalUrl,
  });
  emulator = child;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not start within 30 s")), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Apicbase emulator listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
}

/** SIGTERM, as Ctrl-C through `npm start` does, and wait until it is gone. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function startPortal(): Promise<void> {
  portal = run("node_modules/.bin/next", ["start", "-p", String(portalPort)], {
    ...Object.fromEntries(
      ["DATABASE_URL", "AUTH_APICBASE_ID", "AUTH_APICBASE_SECRET", "APICBASE_SCOPES", "PORTAL_ADMIN_EMAILS"].map(
        (name) => [name, ""],
      ),
    ),
    APICBASE_BASE_URL: emulatorUrl,
    DATA_DIR: path.join(root, "portal"),
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    PORTAL_URL: portalUrl,
    // `next start` is production: the sandbox must be asked for (as playwright.config.ts does).
    SANDBOX: "1",
    REFRESHER: "off",
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`${portalUrl}/`, { redirect: "manual" });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error("the portal did not start within 60 s");
}

test.beforeAll(async ({ browser }) => {
  emulatorPort = await freePort();
  portalPort = await freePort();
  emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  portalUrl = `http://localhost:${portalPort}`;
  await startEmulator();
  await startPortal();
  page = await (await browser.newContext()).newPage();
});

test.afterAll(async () => {
  await page?.context().close();
  await stop(portal);
  await stop(emulator);
  log.end();
  rmSync(root, { recursive: true, force: true });
});

const actionResult = () => page.getByRole("status", { name: "Result of the last action" });
const fact = (label: string): Locator =>
  page
    .getByRole("region", { name: "Connection", exact: true })
    .locator("div")
    .filter({ has: page.getByRole("term").filter({ hasText: label }) })
    .getByRole("definition");

test("a connection keeps working when the sandbox is stopped and started on the same state dir", async () => {
  const partner = demoUser("partner");
  await page.goto(`${portalUrl}/signin`);
  await page.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await expect(page).toHaveURL(new RegExp(`^${emulatorUrl}/accounts/login/`));
  await page.getByLabel("Username").fill(partner.email);
  await page.getByLabel("Password").fill(partner.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("button", { name: "Authorize" }).click();
  await expect(page).toHaveURL(new RegExp(`^${portalUrl}/`));

  await page.goto(`${portalUrl}/connections`);
  await page.getByRole("button", { name: "Connect a library" }).click();
  // The consent page says as whom the approval is given.
  await expect(
    page.getByText(`You approve as Piet Partner (${partner.email}), for your active library Bistro Nord (101).`),
  ).toBeVisible();
  await page.getByRole("button", { name: "Authorize" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Bistro Nord" })).toBeVisible();
  const connectionUrl = page.url().split("?")[0]!;

  // A refresh rotates the pair: the sandbox must remember the rotated tokens, not the approval's.
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(actionResult()).toContainText("Refreshed: a new token pair is stored");

  await stop(emulator);
  await startEmulator();

  await page.goto(connectionUrl);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText("Apicbase confirms the access token is active.");
  await expect(fact("Last verification")).toContainText("active");
  await screenshot(page, "sandbox-restart-verified");
});

test("after the sandbox's state is deleted, Verify says the sandbox was reset, not that anything was revoked", async () => {
  await stop(emulator);
  rmSync(stateDir, { recursive: true, force: true });
  await startEmulator();

  await page.getByRole("button", { name: "Verify" }).click();
  await expect(actionResult()).toContainText("The local Apicbase sandbox was reset at");
  await expect(actionResult()).toContainText("Nobody revoked anything");
  await expect(actionResult()).not.toContainText("it was revoked");
  await page.reload();
  await expect(page.getByRole("region", { name: "Sandbox reset" })).toContainText(
    "Re-authorize the connection to connect it again.",
  );
  await screenshot(page, "sandbox-reset");
});
