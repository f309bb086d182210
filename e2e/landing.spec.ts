import path from "node:path";
import { expect, test } from "@playwright/test";
import { SANDBOX_PARTNER_APP, SANDBOX_USERS } from "../lib/sandbox";
import { EMULATOR_URL, PORTAL_URL, SCREENSHOTS_DIR } from "./urls";

test.describe("landing page", () => {
  test("says it talks to the local sandbox and shows its endpoints, never the client secret", async ({ page }) => {
    await page.goto("/");

    await expect(page.getByRole("heading", { level: 1, name: "Apicbase partner portal" })).toBeVisible();
    const target = page.getByRole("region", { name: "Local sandbox" });
    await expect(target).toContainText(`bundled Apicbase emulator at ${EMULATOR_URL}`);

    const endpoints = page.getByRole("region", { name: "Apicbase endpoints" });
    await expect(endpoints.getByRole("definition").filter({ hasText: `${EMULATOR_URL}/oauth/token/` })).toBeVisible();
    await expect(endpoints).toContainText(SANDBOX_PARTNER_APP.clientId);
    await expect(page.locator("body")).not.toContainText(SANDBOX_PARTNER_APP.clientSecret);
    expect(await page.content()).not.toContain(SANDBOX_PARTNER_APP.clientSecret);

    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, "landing.png"), fullPage: true });
  });
});

test.describe("sandbox emulator", () => {
  const partner = SANDBOX_USERS.find((user) => user.role === "partner member")!;

  test("lets a demo user sign in from the browser and asks for consent to the partner app", async ({ page }) => {
    const authorize = new URL("/oauth/authorize/", EMULATOR_URL);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id: SANDBOX_PARTNER_APP.clientId,
      redirect_uri: `${PORTAL_URL}/api/auth/callback/apicbase`,
      scope: "accounts library",
      state: "e2e-landing",
    }).toString();
    await page.goto(authorize.href);

    await expect(page).toHaveURL(/\/accounts\/login\/\?next=/);
    await page.getByLabel("Username").fill(partner.email);
    await page.getByLabel("Password").fill(partner.password);
    await page.getByRole("button", { name: "Log in" }).click();

    await expect(page.getByRole("heading", { name: `Authorize ${SANDBOX_PARTNER_APP.name}?` })).toBeVisible();
    await expect(page.getByRole("button", { name: "Authorize" })).toBeVisible();
  });

  test("refuses a wrong password at its login page", async ({ page }) => {
    await page.goto(`${EMULATOR_URL}/accounts/login/`);
    await page.getByLabel("Username").fill(partner.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Log in" }).click();

    await expect(page.getByText("Please enter a correct username and password.")).toBeVisible();
    await expect(page).toHaveURL(`${EMULATOR_URL}/accounts/login/`);
  });
});
