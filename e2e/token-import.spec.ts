import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { SANDBOX_DESK_APP, SANDBOX_PARTNER_APP } from "../lib/sandbox";
import { deskAppOrganization, screenshot } from "./journey";
import { EMULATOR_URL, PORTAL_URL } from "./urls";

/**
 * Token import: pairs generated "in Apicbase's UI" (the emulator's /__emulator/tokens) are checked with Apicbase,
 * shown, and stored only after the partner confirms. Tokens of another application, a dead pair and malformed input
 * are refused, each with its own message, and nothing is stored. In an organization of the journey's own.
 */
test.describe.configure({ mode: "serial" });

const emulator = new EmulatorControl(EMULATOR_URL);

let context: BrowserContext;
let page: Page;
let organizationId = "";
/** Every token the journey pasted or that Apicbase issued for it: none may ever come back to the browser. */
const tokens: string[] = [];
const bodies: string[] = [];

const importPage = () => `/connections/import?organization=${organizationId}`;
const accessField = () => page.getByLabel("Access token", { exact: true });
const refreshField = () => page.getByLabel("Refresh token", { exact: true });
const applicationField = () => page.getByLabel("Application that issued the tokens");
const check = () => page.getByRole("button", { name: "Check with Apicbase" }).click();

async function mint(email: string, clientId: string, extra: { expires_in?: number } = {}) {
  const pair = await emulator.mintTokens({ email, client_id: clientId, scope: "accounts library", ...extra });
  tokens.push(pair.access_token, pair.refresh_token!);
  return { access: pair.access_token, refresh: pair.refresh_token! };
}

async function paste(application: string, pair: { access: string; refresh: string }) {
  await page.goto(importPage());
  await applicationField().selectOption({ label: application });
  await accessField().fill(` ${pair.access}\n`);
  await refreshField().fill(pair.refresh);
  await check();
}

async function expectNothingStored() {
  await page.goto(`/connections?organization=${organizationId}`);
  await expect(page.getByRole("status").filter({ hasText: /connection/ })).toHaveText(
    /^No connections yet\.$|^Showing 1–1 of 1 connection\.$/,
  );
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  context.on("response", (response) => {
    if (!response.url().startsWith(PORTAL_URL)) return;
    void response.text().then(
      (body) => bodies.push(body),
      () => undefined,
    );
  });
  page = await context.newPage();
  organizationId = await deskAppOrganization(page, "Import Kitchen");
  await emulator.setActiveLibrary("otto@sandbox.test", 103);
});

test.afterAll(async () => {
  await emulator.resetClock().catch(() => undefined);
  await context?.close();
});

test("malformed input is refused at the field that holds it, without a request to Apicbase", async () => {
  await page.goto(importPage());
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Import tokens from Apicbase");
  const before = await emulator.stats();
  await accessField().fill("not a token");
  await refreshField().fill("short");
  await check();
  await expect(accessField()).toHaveAccessibleDescription(/no spaces or line breaks inside/);
  await expect(refreshField()).toHaveAccessibleDescription(/too short for an Apicbase refresh token/);
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was sent to Apicbase" })).toBeVisible();
  // The fields are write-only: nothing typed comes back.
  await expect(accessField()).toHaveValue("");
  await screenshot(page, "token-import-malformed");
  expect((await emulator.stats()).requests).toEqual(before.requests);
  await expectNothingStored();
  await expect(page.getByRole("status").filter({ hasText: /connection/ })).toHaveText("No connections yet.");
});

test("tokens of another application are refused, naming the application that issued them", async () => {
  const pair = await mint("otto@sandbox.test", SANDBOX_DESK_APP.clientId);
  await paste(SANDBOX_PARTNER_APP.name, pair);
  await expect(applicationField()).toHaveAccessibleDescription(
    new RegExp(
      `issued to the application “${SANDBOX_DESK_APP.name.replace(/[()]/g, "\\$&")}”, not “Partner app \\(sandbox\\)”`,
    ),
  );
  await expect(
    page.getByRole("alert").filter({ hasText: "Apicbase did not accept these tokens. Nothing was stored." }),
  ).toBeVisible();
  await screenshot(page, "token-import-wrong-application");
  await expectNothingStored();
  await expect(page.getByRole("status").filter({ hasText: /connection/ })).toHaveText("No connections yet.");
});

test("an inactive access token whose refresh token is dead is refused", async () => {
  const pair = await mint("otto@sandbox.test", SANDBOX_PARTNER_APP.clientId);
  // Someone already used the pair: the refresh rotated it, so both pasted tokens are dead.
  const used = await fetch(`${EMULATOR_URL}/oauth/token/`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: pair.refresh,
      client_id: SANDBOX_PARTNER_APP.clientId,
      client_secret: SANDBOX_PARTNER_APP.clientSecret,
    }),
  });
  expect(used.status).toBe(200);
  await paste(SANDBOX_PARTNER_APP.name, pair);
  await expect(accessField()).toHaveAccessibleDescription(
    /Apicbase no longer accepts these tokens for “Partner app \(sandbox\)”: the access token is not active and the refresh token was refused/,
  );
  await expectNothingStored();
  await expect(page.getByRole("status").filter({ hasText: /connection/ })).toHaveText("No connections yet.");
});

test("a pair generated in Apicbase's UI is shown, then stored only after the partner confirms", async () => {
  const pair = await mint("otto@sandbox.test", SANDBOX_PARTNER_APP.clientId);
  await paste(SANDBOX_PARTNER_APP.name, pair);
  await expect(page).toHaveURL(`${PORTAL_URL}${importPage()}`);
  const found = page.getByRole("region", { name: "What Apicbase says about these tokens" });
  await expect(found).toContainText("Brasserie Oost (library 103");
  await expect(found).toContainText("Otto Oost · otto@sandbox.test");
  await expect(found).toContainText(SANDBOX_PARTNER_APP.name);
  await expect(found.getByRole("list", { name: "Scopes of the imported tokens" }).getByRole("listitem")).toHaveText([
    "accounts",
    "library",
  ]);
  // Relative and absolute: 7 days minus the moments since it was generated.
  await expect(found.locator("time")).toHaveText(/^in [67] days$/);
  await expect(found).toContainText(/Access token expires\s*in [67] days \(\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC\)/);
  await screenshot(page, "token-import-found");

  // Nothing stored before the confirmation, and a reload still shows what was found (kept sealed on the server side).
  await page.goto(`/connections?organization=${organizationId}`);
  await expect(page.getByRole("status").filter({ hasText: /connection/ })).toHaveText("No connections yet.");
  await page.goto(importPage());
  await page.getByRole("button", { name: "Store this connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?notice=imported$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Brasserie Oost");
  await expect(
    page.getByRole("status").filter({ hasText: '"Brasserie Oost" is connected with the imported tokens.' }),
  ).toBeVisible();
  await expect(page.getByRole("region", { name: "History", exact: true }).getByRole("row").nth(1)).toContainText(
    "Connected by token import",
  );
  await screenshot(page, "token-import-stored");

  // The stored connection works: Verify asks Apicbase about the stored access token.
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("status", { name: "Result of the last action" })).toContainText(
    "Apicbase confirms the access token is active.",
  );
});

test("an expired access token with a working refresh token is refreshed once and stored", async () => {
  const pair = await mint("nora@sandbox.test", SANDBOX_PARTNER_APP.clientId, { expires_in: 1 });
  try {
    await emulator.advanceClock(5);
    await paste(SANDBOX_PARTNER_APP.name, pair);
    const found = page.getByRole("region", { name: "What Apicbase says about these tokens" });
    await expect(found).toContainText("Bistro Nord (library 101");
    await expect(found).toContainText("Nora Nord · nora@sandbox.test");
    await expect(found).toContainText("The access token you pasted had expired, so the portal refreshed it once");
    await screenshot(page, "token-import-refreshed");
  } finally {
    await emulator.resetClock();
  }
  // The pasted pair is spent now: the refresh rotated it.
  const introspected = await fetch(`${EMULATOR_URL}/oauth/introspect/`, {
    method: "POST",
    body: new URLSearchParams({
      token: pair.access,
      client_id: SANDBOX_PARTNER_APP.clientId,
      client_secret: SANDBOX_PARTNER_APP.clientSecret,
    }),
  });
  expect(await introspected.json()).toEqual({ active: false });
  await page.getByRole("button", { name: "Store this connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?notice=imported$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bistro Nord");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("status", { name: "Result of the last action" })).toContainText(
    "Apicbase confirms the access token is active.",
  );
  await page.goto(`/connections?organization=${organizationId}`);
  await expect(page.getByRole("status").filter({ hasText: /^Showing/ })).toHaveText("Showing 1–2 of 2 connections.");
});

test("no pasted or issued token ever reached the browser", async () => {
  expect(bodies.length).toBeGreaterThan(10);
  for (const token of tokens) {
    for (const body of bodies) expect(body.includes(token), "a token in a page or action answer").toBe(false);
  }
});
