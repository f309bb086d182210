import { expect, test, type Page } from "@playwright/test";
import {
  answerConsent,
  captureServerAction,
  logInAtApicbase,
  replayServerAction,
  screenshot,
  signedInPage,
  type DemoUser,
} from "./journey";
import { EMULATOR_URL, PORTAL_URL } from "./urls";

/** From the portal's sign-in page through the emulator's login and consent pages, like a person would. */
async function signInThroughApicbase(page: Page, name: DemoUser, consent: "Authorize" | "Cancel" = "Authorize") {
  if (!page.url().includes("/signin")) await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await logInAtApicbase(page, name);
  await answerConsent(page, consent);
}

/** Apicbase's tokens (and the emulator's) are 30 characters of [A-Za-z0-9]. */
const TOKEN_SHAPED = /(?<![A-Za-z0-9_-])[A-Za-z0-9]{30}(?![A-Za-z0-9_-])/;

test.describe("sign in with Apicbase", () => {
  test("a partner signs in through Apicbase's login and consent, lands in their organization, and signs out", async ({
    page,
    context,
  }) => {
    await page.goto("/connections");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fconnections$/);
    await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
    const sandbox = page.getByRole("region", { name: "Local sandbox" });
    await expect(sandbox.getByRole("row", { name: /partner@sandbox\.test partner-demo partner member/ })).toBeVisible();
    await expect(
      sandbox.getByRole("row", { name: /nora@sandbox\.test .* Bistro Nord \(101\), Café Zuid \(102\)/ }),
    ).toBeVisible();
    // The demo logins fit the page at 1280 px: nothing to scroll sideways.
    expect(page.viewportSize()?.width).toBe(1280);
    const demoTable = sandbox.getByRole("group", { name: "Local sandbox" });
    expect(await demoTable.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    await expect(sandbox.getByRole("link", { name: "log out of the emulator" })).toHaveAttribute(
      "href",
      `${EMULATOR_URL}/accounts/logout/?next=/accounts/login/`,
    );
    await screenshot(page, "signin");

    await signInThroughApicbase(page, "partner");
    await expect(page).toHaveURL(`${PORTAL_URL}/connections`);
    await expect(page.getByRole("heading", { level: 1, name: "Connections" })).toBeVisible();
    await expect(page.getByRole("main")).toContainText("Sandbox partner");
    await expect(page.getByRole("heading", { name: "No library is connected yet" })).toBeVisible();
    await expect(page.getByRole("main")).toContainText(
      "approves at Apicbase as whoever is logged in there in this browser: Apicbase keeps its own login. That is most likely you, partner@sandbox.test",
    );
    const header = page.getByRole("banner");
    await expect(header).toContainText("Piet Partner");
    await expect(header).toContainText("partner@sandbox.test");
    await expect(header).toContainText("Sandbox partner");
    await expect(header.getByRole("link", { name: "Admin" })).toHaveCount(0);
    await screenshot(page, "connections");

    const session = (await context.cookies()).find((cookie) => cookie.name.endsWith("authjs.session-token"));
    expect(session, "a session cookie").toBeDefined();
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");
    // 32 random bytes, base64url.
    expect(session?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Neither the session token nor any Apicbase token reaches the browser: not in the HTML, the RSC payload or
    // the session endpoint.
    const sessionValue = session?.value ?? "missing";
    const html = await page.content();
    const rsc = await (await page.request.get("/connections", { headers: { RSC: "1" } })).text();
    const sessionJson = await (await page.request.get("/api/auth/session")).text();
    for (const body of [html, rsc, sessionJson]) {
      expect(body).not.toContain(sessionValue);
      expect(body).not.toMatch(TOKEN_SHAPED);
      expect(body).not.toMatch(/access_token|refresh_token/);
    }
    expect(JSON.parse(sessionJson)).toMatchObject({
      user: { email: "partner@sandbox.test", isAdmin: false, memberships: [{ organizationName: "Sandbox partner" }] },
    });

    await header.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin\?signedOut=1$/);
    await expect(page.getByRole("status")).toHaveText("You signed out of the portal.");
    // Apicbase (the emulator) keeps its own login; the page says so and offers its log-out.
    await expect(page.getByText("Apicbase keeps its own login: you may still be logged in there")).toBeVisible();
    await expect(page.getByRole("link", { name: "Log out of the Apicbase sandbox" })).toHaveAttribute(
      "href",
      `${EMULATOR_URL}/accounts/logout/`,
    );
    await screenshot(page, "signin-signed-out");

    // The session ended in the database: the old cookie no longer opens anything.
    await context.addCookies([{ ...session!, expires: -1 }]);
    await page.goto("/connections");
    await expect(page).toHaveURL(`${PORTAL_URL}/signin`);
  });

  test("cancelling at Apicbase's consent page ends on a page that says so", async ({ page }) => {
    await signInThroughApicbase(page, "otto", "Cancel");
    await expect(page).toHaveURL(/\/signin\/error\?reason=access_denied$/);
    await expect(page.getByRole("heading", { level: 1, name: "Sign-in cancelled" })).toBeVisible();
    await expect(page.getByRole("main")).toContainText("You cancelled the approval at Apicbase");
    await expect(page.getByRole("main")).toContainText("Sign in again when you're ready.");
    await screenshot(page, "signin-error-cancelled");

    await page.getByRole("link", { name: "Sign in again" }).click();
    await expect(page.getByRole("button", { name: "Sign in with Apicbase" })).toBeVisible();
  });

  test("a callback that does not belong to a sign-in of this browser is refused before any token request", async ({
    page,
  }) => {
    await page.goto("/api/auth/callback/apicbase?code=forged-code&state=forged-state");
    await expect(page).toHaveURL(/\/signin\/error\?reason=state_mismatch$/);
    await expect(page.getByRole("heading", { level: 1, name: "This sign-in could not be verified" })).toBeVisible();
    await expect(page.getByRole("main")).toContainText("Start again from the sign-in page.");
    await screenshot(page, "signin-error-state");
  });

  test("a return address on another site is ignored", async ({ page }) => {
    await page.goto("/signin?callbackUrl=%2F%2Fevil.example%2Fphish");
    await signInThroughApicbase(page, "partner");
    await expect(page).toHaveURL(`${PORTAL_URL}/connections`);
  });

  test("a signed-in partner sent to the sign-in page with a return address on another site stays on the portal", async ({
    page,
  }) => {
    await page.goto("/signin?callbackUrl=%2F.%2F%2Fevil.example%2Flogin");
    await signInThroughApicbase(page, "partner");
    await expect(page).toHaveURL(`${PORTAL_URL}/connections`);

    // Signed in now, the sign-in page redirects at once: every spelling of "another site" lands on the connections.
    const payloads = [
      "/.//evil.example/login",
      "/..//evil.example",
      "/a/..//evil.example",
      "/%2e//evil.example",
      "/%2E%2E//evil.example",
      "/a/%2e%2e//evil.example",
      "/%2f/evil.example",
      "/.%2f/evil.example",
      "/%5c/evil.example",
      "/.\\/evil.example",
      "/\\evil.example",
      "/\t/evil.example",
      "/.\n//evil.example",
      "//evil.example",
      "https://evil.example/",
    ];
    for (const payload of payloads) {
      const response = await page.request.get(`/signin?${new URLSearchParams({ callbackUrl: payload })}`, {
        maxRedirects: 0,
      });
      expect(response.status(), payload).toBe(307);
      const location = response.headers()["location"] ?? "";
      expect(new URL(location, `${PORTAL_URL}/signin`).href, payload).toBe(`${PORTAL_URL}/connections`);
    }
    await page.goto(`/signin?${new URLSearchParams({ callbackUrl: "/a/..//evil.example/login" })}`);
    await expect(page).toHaveURL(`${PORTAL_URL}/connections`);
    // A harmless path on the portal is still honoured.
    const own = await page.request.get(`/signin?${new URLSearchParams({ callbackUrl: "/links" })}`, {
      maxRedirects: 0,
    });
    expect(new URL(own.headers()["location"] ?? "", `${PORTAL_URL}/signin`).href).toBe(`${PORTAL_URL}/links`);
  });
});

test.describe("organizations and roles", () => {
  test.describe.configure({ mode: "serial" });
  const organization = `Nordic Kitchens ${Date.now().toString(36)}`;

  test("someone in no organization is told whom to ask", async ({ page }) => {
    await signInThroughApicbase(page, "nora");
    await expect(page).toHaveURL(`${PORTAL_URL}/no-organization`);
    await expect(page.getByRole("heading", { level: 1, name: "You're not in an organization yet" })).toBeVisible();
    const ask = page.getByRole("region", { name: "Whom to ask" });
    await expect(ask).toContainText("Ask a portal admin to add nora@sandbox.test");
    await expect(ask.getByRole("link", { name: "admin@sandbox.test" })).toHaveAttribute(
      "href",
      "mailto:admin@sandbox.test",
    );
    await screenshot(page, "no-organization");
  });

  test("an admin creates an organization and adds members by Apicbase e-mail; they land in it", async ({ browser }) => {
    const admin = await signedInPage(browser, "admin");
    // An admin without an organization of their own starts on the admin overview.
    await expect(admin).toHaveURL(`${PORTAL_URL}/admin`);
    await expect(admin.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(admin.getByRole("banner").getByRole("link", { name: "Admin" })).toBeVisible();
    await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Organizations" }).click();
    await expect(admin).toHaveURL(`${PORTAL_URL}/admin/organizations`);
    const seeded = admin.getByRole("region", { name: "Sandbox partner" });
    await expect(seeded).toContainText(/1 member\b/);

    const create = admin.getByRole("region", { name: "Create organization" });
    await create.getByRole("button", { name: "Create organization" }).click();
    await expect(create.getByLabel("Organization name")).toHaveAccessibleDescription(/Enter the organization's name\./);
    await create.getByLabel("Organization name").fill("sandbox PARTNER");
    await create.getByRole("button", { name: "Create organization" }).click();
    await expect(create.getByText(/already exists/)).toBeVisible();
    await expect(create.getByLabel("Organization name")).toHaveValue("sandbox PARTNER");
    await expect(create.getByLabel("Organization name")).toHaveAttribute("aria-invalid", "true");

    await create.getByLabel("Organization name").fill(organization);
    await create.getByRole("button", { name: "Create organization" }).click();
    await expect(create.getByRole("status")).toHaveText(`Created "${organization}".`);
    const card = admin.getByRole("region", { name: organization });
    await expect(card).toContainText("0 members");

    const email = card.getByLabel(`Add a member to ${organization}`);
    await email.fill("not an address");
    await card.getByRole("button", { name: "Add member" }).click();
    await expect(card.getByText("Enter an e-mail address like name@company.com.")).toBeVisible();
    await email.fill("  Nora@Sandbox.TEST ");
    await card.getByRole("button", { name: "Add member" }).click();
    await expect(card.getByRole("status")).toHaveText("Added nora@sandbox.test: they are a member now.");
    await expect(card).toContainText("Nora Nord");
    await expect(card).toContainText(/1 member\b/);

    // Someone who never signed in is invited; the invitation can be withdrawn.
    await email.fill("otto@sandbox.test");
    await card.getByRole("button", { name: "Add member" }).click();
    await expect(card.getByRole("status")).toHaveText(/Invited otto@sandbox\.test/);
    await expect(card).toContainText("Pending: joins at first sign-in");
    await screenshot(admin, "admin-organizations");
    await card.getByRole("button", { name: `Withdraw the invitation of otto@sandbox.test to ${organization}` }).click();
    await expect(card.getByRole("row", { name: /otto@sandbox\.test/ })).toHaveCount(0);
    await expect(card).not.toContainText("pending invitation");

    const nora = await signedInPage(browser, "nora");
    await expect(nora).toHaveURL(`${PORTAL_URL}/connections`);
    await expect(nora.getByRole("main")).toContainText(organization);
    await expect(nora.getByRole("banner")).toContainText(organization);
  });

  test("a partner member can neither open the admin page nor call its actions", async ({ browser }) => {
    // Capture a real "Create organization" submission from an admin's page, without letting it through.
    const admin = await signedInPage(browser, "admin");
    await admin.goto("/admin/organizations");
    const create = admin.getByRole("region", { name: "Create organization" });
    await create.getByLabel("Organization name").fill("Forged by a partner");
    const captured = await captureServerAction(
      admin,
      () => create.getByRole("button", { name: "Create organization" }).click(),
      "**/admin/organizations",
    );

    const partner = await signedInPage(browser, "partner");
    const response = await partner.goto("/admin/organizations");
    expect(response?.status()).toBe(404);
    await expect(partner.getByRole("heading", { level: 1, name: "Admins only" })).toBeVisible();
    await expect(partner.getByRole("region", { name: "Create organization" })).toHaveCount(0);
    await screenshot(partner, "admin-refused");

    // The same POST, with the partner's session: refused, with the reason.
    const forged = await replayServerAction(partner.request, captured);
    expect(await forged.text()).toContain("Only portal admins can do this.");

    // With a made-up session cookie (which gets past the proxy's cheap check): refused by the action itself.
    const stranger = await browser.newContext();
    await stranger.addCookies([{ name: "authjs.session-token", value: "made-up", url: PORTAL_URL }]);
    const anonymous = await stranger.request.post(`${PORTAL_URL}/admin/organizations`, {
      headers: {
        "next-action": captured.headers()["next-action"] ?? "",
        "content-type": captured.headers()["content-type"] ?? "",
        accept: "text/x-component",
        origin: PORTAL_URL,
      },
      data: captured.postDataBuffer() ?? "",
    });
    expect(await anonymous.text()).toContain("Your session has ended. Sign in again.");

    await admin.reload();
    await expect(admin.getByRole("heading", { name: "All organizations" })).toBeVisible();
    await expect(admin.getByRole("region", { name: "Forged by a partner" })).toHaveCount(0);

    // Another organization's id in the URL shows nothing of it.
    const labelledBy = await admin.getByRole("region", { name: organization }).getAttribute("aria-labelledby");
    const otherId = /^organization-(.+)-title$/.exec(labelledBy ?? "")?.[1];
    expect(otherId).toBeDefined();
    const foreign = await partner.goto(`/connections?organization=${otherId}`);
    expect(foreign?.status()).toBe(404);
    await expect(partner.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
    await expect(partner.locator("body")).not.toContainText(organization);
  });
});
