import { expect, test } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { answerConsent, logInAtApicbase, screenshot, signIn } from "./journey";
import { EMULATOR_URL } from "./urls";

const emulator = new EmulatorControl(EMULATOR_URL);

test("a library owner without a portal account re-authorizes a connection through a single-use link", async ({ page, browser }) => {
  await emulator.setActiveLibrary("otto@sandbox.test", 104);
  await signIn(page, "partner");
  await page.goto("/connections");
  // The partner is logged in at Apicbase as themself; the library's owner must approve instead.
  await page.context().clearCookies({ domain: "127.0.0.1" });
  await page.getByRole("button", { name: "Connect a library" }).click();
  await logInAtApicbase(page, "otto");
  await answerConsent(page);
  await expect(page.getByRole("heading", { name: "Trattoria West" })).toBeVisible();
  const connectionUrl = page.url().split("?")[0]!;

  await page.getByRole("button", { name: "Create re-authorization link" }).click();
  const linkField = page.getByLabel("Authorization link", { exact: true });
  await expect(linkField).toBeVisible();
  const link = await linkField.inputValue();
  expect(link).toMatch(/\/authorize\/[A-Za-z0-9_-]{43}$/);
  await screenshot(page, "connection-reauthorization-link");

  // The owner's browser: no portal session at all.
  const owner = await browser.newContext();
  const ownerPage = await owner.newPage();
  await ownerPage.goto(link);
  await expect(ownerPage.getByRole("heading", { name: "Approve access at Apicbase" })).toBeVisible();
  await expect(ownerPage.getByText(/re-authorize its connection to your Apicbase library "Trattoria West"/)).toBeVisible();
  await screenshot(ownerPage, "authorization-link");
  await ownerPage.getByRole("button", { name: "Continue to Apicbase" }).click();
  await logInAtApicbase(ownerPage, "otto");
  await answerConsent(ownerPage);
  await expect(ownerPage.getByRole("heading", { name: "Re-authorized" })).toBeVisible();
  await expect(ownerPage.getByRole("status")).toContainText('"Trattoria West" is re-authorized');
  await screenshot(ownerPage, "authorization-link-result");

  // Single use: the same link again does nothing.
  await ownerPage.goto(link);
  await expect(ownerPage.getByRole("heading", { name: "This link was already used" })).toBeVisible();
  await owner.close();

  // The partner sees the same connection (same id), re-authorized, in its history.
  await page.goto(connectionUrl);
  await expect(page.getByText(/re-authorized/i).first()).toBeVisible();
});

test("an unknown or malformed link says it does not work, without touching anything", async ({ page }) => {
  await page.goto(`/authorize/${"x".repeat(43)}`);
  await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();
  await page.goto("/authorize/short");
  await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();
});
