import { existsSync, readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { signIn } from "./journey";
import { EMULATOR_URL } from "./urls";

/**
 * Runs last (files run in name order): after every journey connected, refreshed, imported, revoked and handed out
 * tokens, nothing the emulator ever issued (codes, access and refresh tokens) nor any client secret appears in what
 * the portal printed.
 */
test("no authorization code, token or client secret appears in the portal's logs", async () => {
  const log = process.env.E2E_PORTAL_LOG;
  test.skip(!log || !existsSync(log), "the portal was not started by this run (an existing server was reused)");
  const printed = readFileSync(log!, "utf8");
  // The log is real: the server printed its start-up lines into it.
  expect(printed).toMatch(/Ready in|Local:/);

  const { codes_and_tokens: issued, client_secrets: clientSecrets } = await new EmulatorControl(
    EMULATOR_URL,
  ).issuedSecrets();
  // The journeys before this one connected libraries: the emulator issued codes and tokens to search for.
  expect(issued.length).toBeGreaterThan(5);
  const leaked = [...issued, ...clientSecrets].filter((secret) => printed.includes(secret));
  expect(leaked.map((secret) => `${secret.slice(0, 4)}… (${secret.length} characters)`)).toEqual([]);
  // Nor anything shaped like a credential in a query string or form body.
  expect(printed).not.toMatch(/(refresh_token|access_token|client_secret|code)=[A-Za-z0-9_-]{20,}/);
});

test("no authorization code, token or client secret appears in the audit log or its CSV export", async ({ page }) => {
  const { codes_and_tokens: issued, client_secrets: clientSecrets } = await new EmulatorControl(
    EMULATOR_URL,
  ).issuedSecrets();
  await signIn(page, "admin");
  const exported = await page.request.get("/admin/audit/export");
  expect(exported.status()).toBe(200);
  const csv = await exported.text();
  // Every journey left entries: connected, refreshed, revoked, links, keys, tokens handed out.
  expect(csv.split("\n").length).toBeGreaterThan(5);
  expect(csv).toMatch(/connection_connected/);
  await page.goto("/admin/audit");
  const html = await page.content();
  const leaked = [...issued, ...clientSecrets].filter((secret) => csv.includes(secret) || html.includes(secret));
  expect(leaked.map((secret) => `${secret.slice(0, 4)}… (${secret.length} characters)`)).toEqual([]);
});
