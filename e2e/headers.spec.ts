import { expect, test, type Page } from "@playwright/test";
import { SANDBOX_DESK_APP } from "../lib/sandbox";
import { answerConsent, createOrganization, registerDeskApp, screenshot, signIn } from "./journey";
import { PORTAL_URL } from "./urls";

/** The "Connect a library" form: the dashboard's filters have an "Application" field too. */
const connectForm = (page: Page) =>
  page.locator("form").filter({ has: page.getByRole("button", { name: "Connect a library" }) });

/** Response headers every answer carries, and that the policy breaks nothing it serves. */
const PAGES = [
  "/",
  "/signin",
  "/signin/error?error=AccessDenied",
  `/authorize/${"x".repeat(43)}`,
  "/api/v1/connections",
  "/no-such-page",
];

test("every answer carries the security headers; authorization links never leak through a Referer", async ({
  request,
}) => {
  for (const path of PAGES) {
    const response = await request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    expect.soft(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect.soft(headers["content-security-policy"], path).toContain("object-src 'none'");
    expect.soft(headers["content-security-policy"], path).toContain("base-uri 'none'");
    expect.soft(headers["content-security-policy"], path).not.toContain("unsafe-inline' 'unsafe");
    expect.soft(headers["x-content-type-options"], path).toBe("nosniff");
    expect.soft(headers["x-frame-options"], path).toBe("DENY");
    expect.soft(headers["strict-transport-security"], path).toMatch(/max-age=31536000/);
    expect.soft(headers["x-powered-by"], path).toBeUndefined();
    const referrer = path.startsWith("/authorize/") ? "no-referrer" : "strict-origin-when-cross-origin";
    expect.soft(headers["referrer-policy"], path).toBe(referrer);
  }
});

/** The script policy of a page's answer: a fresh nonce, 'strict-dynamic', never 'unsafe-inline'. */
function scriptPolicy(policy: string | undefined): { nonce: string; directive: string } {
  const directive =
    policy
      ?.split(";")
      .map((part) => part.trim())
      .find((part) => part.startsWith("script-src ")) ?? "";
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(directive)?.[1] ?? "";
  return { nonce, directive };
}

test("pages allow scripts by a per-request nonce with 'strict-dynamic', never 'unsafe-inline'", async ({ request }) => {
  const seen = new Set<string>();
  for (const path of [
    "/",
    "/signin",
    "/signin/error?error=AccessDenied",
    `/authorize/${"x".repeat(43)}`,
    "/no-such-page",
    "/",
    "/",
  ]) {
    const response = await request.get(path, { maxRedirects: 0 });
    const { nonce, directive } = scriptPolicy(response.headers()["content-security-policy"]);
    expect(directive, path).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'$/);
    expect(seen.has(nonce), `nonce repeated on ${path}`).toBe(false);
    seen.add(nonce);
    // Next.js put the same nonce on its own scripts: the page was rendered for this request.
    const html = await response.text();
    expect(html, path).toContain(`nonce="${nonce}"`);
  }
});

/** Collects the browser's CSP reports of a page: console messages and `securitypolicyviolation` events. */
function watchViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|evaluate)/i.test(message.text()))
      violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(`page error: ${error.message}`));
  return violations;
}

async function visit(page: Page, path: string, ready: (page: Page) => Promise<void>) {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  await ready(page);
}

const heading = (name: string | RegExp) => async (page: Page) => {
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
};

test("the content security policy blocks nothing the portal's pages need, on every kind of page", async ({
  browser,
}) => {
  // A long journey (a dozen pages, sign-in, a connection, a link) on a machine that may be busy.
  test.setTimeout(300_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations = watchViolations(page);

  await visit(page, "/", async () => undefined);
  await visit(page, "/signin", heading("Sign in"));
  // Hydrated: the sign-in button works (it is a client-side form).
  await expect(page.getByRole("button", { name: "Sign in with Apicbase" })).toBeEnabled();
  await visit(page, "/signin/error?reason=access_denied", async () => undefined);
  await visit(page, "/no-such-page", async () => undefined);

  await signIn(page, "admin");
  await registerDeskApp(page);
  const organizationId = await createOrganization(page, `Policy Kitchen ${Date.now().toString(36)}`);
  for (const path of ["/admin", "/admin/connections", "/admin/members", "/admin/audit"]) {
    await visit(page, path, async () => expect(page.getByRole("heading", { level: 1 })).toBeVisible());
  }
  await visit(page, "/admin/applications", async () => expect(page.getByRole("heading", { level: 1 })).toBeVisible());

  // The dashboard, then a connection of the journey's own organization (the admin approves their own library).
  await visit(page, `/connections?organization=${organizationId}`, heading("Connections"));
  await connectForm(page).getByLabel("Application").selectOption({ index: 0 });
  await page.getByRole("button", { name: "Connect a library" }).click();
  await answerConsent(page);
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}/);
  await page.waitForLoadState("networkidle");
  // Client-side work runs: the page's live countdown and buttons are there after hydration.
  await expect(page.getByRole("button", { name: "Refresh" }).first()).toBeEnabled();
  await page.getByRole("button", { name: "Verify" }).first().click();
  await page.waitForLoadState("networkidle");

  await visit(page, `/connections/import?organization=${organizationId}`, async () =>
    expect(page.getByRole("heading", { level: 1 })).toBeVisible(),
  );
  await visit(page, `/api-keys?organization=${organizationId}`, async () =>
    expect(page.getByRole("heading", { level: 1 })).toBeVisible(),
  );

  // Manual code entry: the page with the approval link and the paste field (its countdown is client-side code).
  await visit(page, `/connections?organization=${organizationId}`, heading("Connections"));
  await connectForm(page)
    .getByLabel("Application")
    .selectOption({ label: `${SANDBOX_DESK_APP.name} (paste a code from Apicbase)` });
  await page.getByRole("button", { name: "Connect a library" }).click();
  await expect(page).toHaveURL(`${PORTAL_URL}/connections/manual-code`);
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Code from Apicbase").fill("not a code");
  await page.getByLabel("Code from Apicbase").press("Enter");
  await expect(page.getByRole("alert").first()).toBeVisible();

  // Links: create a connect link, then open it as its customer would, without a portal session.
  await visit(page, `/links?organization=${organizationId}`, heading("Authorization links"));
  await page.getByLabel("Customer").fill("Policy test customer");
  await page.getByRole("button", { name: "Create connect link" }).click();
  const link = await page.getByLabel("Authorization link", { exact: true }).inputValue();
  const customer = await browser.newContext();
  const customerPage = await customer.newPage();
  const customerViolations = watchViolations(customerPage);
  await visit(customerPage, link, async () =>
    expect(customerPage.getByRole("button", { name: "Continue to Apicbase" })).toBeEnabled(),
  );
  await visit(customerPage, "/authorize/result", heading("No result to show"));
  await customer.close();

  expect(violations).toEqual([]);
  expect(customerViolations).toEqual([]);
  await context.close();
});

test("an inline script injected into a page's HTML does not run; one with the page's nonce does", async ({ page }) => {
  const violations = watchViolations(page);
  // What an HTML injection would put in the answer: an inline script and an inline event handler, without the nonce;
  // plus, as the control, a script carrying this answer's own nonce.
  await page.route("**/signin", async (route) => {
    const response = await route.fetch();
    const { nonce } = scriptPolicy(response.headers()["content-security-policy"]);
    const injected = [
      "<script>window.__injected = 'ran'</script>",
      `<img src="data:,x" onerror="window.__handler = 'ran'" alt="">`,
      `<script nonce="${nonce}">window.__trusted = 'ran'</script>`,
    ].join("");
    await route.fulfill({
      response,
      body: (await response.text())
        .replace("<body", `<body data-injected="1"`)
        .replace("</body>", `${injected}</body>`),
    });
  });
  await page.goto("/signin");
  await page.waitForLoadState("networkidle");
  await expect(page.locator("body[data-injected]")).toHaveCount(1);

  const read = (name: string) => page.evaluate((key) => (window as unknown as Record<string, unknown>)[key], name);
  expect(await read("__trusted")).toBe("ran");
  expect(await read("__injected")).toBeUndefined();
  expect(await read("__handler")).toBeUndefined();
  expect(violations.join("\n")).toMatch(/Content Security Policy/);
  // The page itself still works: hydrated, its form's button enabled.
  await expect(page.getByRole("button", { name: "Sign in with Apicbase" })).toBeEnabled();
  await screenshot(page, "signin-under-csp");
});

test("forged Host and X-Forwarded-* headers steer neither redirects nor the addresses the portal shows", async ({
  page,
  request,
}) => {
  const forged = { "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443" };
  for (const headers of [forged, { ...forged, Host: "evil.example" }]) {
    const response = await request.get("/connections", { maxRedirects: 0, headers });
    expect(response.status()).toBe(307);
    expect(response.headers()["location"]).toBe(`${PORTAL_URL}/signin?callbackUrl=%2Fconnections`);
  }

  await signIn(page, "partner");
  // Pages render with the forged headers (Next.js itself refuses server actions whose Origin does not match them).
  await page.setExtraHTTPHeaders(forged);
  await page.goto("/api-keys");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("main")).toContainText(`${PORTAL_URL}/api/v1/connections`);
  await expect(page.getByRole("main")).not.toContainText("evil.example");
});
