import { expect, test, type Browser, type Page } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import {
  answerConsent,
  approveLinkElsewhere,
  approveThroughLink,
  logInAtApicbase,
  screenshot,
  signIn,
} from "./journey";
import { EMULATOR_URL } from "./urls";

const emulator = new EmulatorControl(EMULATOR_URL);

test("a library owner without a portal account re-authorizes a connection through a single-use link", async ({
  page,
  browser,
}) => {
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
  await expect(
    ownerPage.getByText(/re-authorize its connection to your Apicbase library "Trattoria West"/),
  ).toBeVisible();
  await screenshot(ownerPage, "authorization-link");
  await approveThroughLink(ownerPage, "otto");
  await expect(ownerPage.getByRole("heading", { name: "Re-authorized" })).toBeVisible();
  await expect(ownerPage.getByRole("status")).toContainText('"Trattoria West" is re-authorized');
  await screenshot(ownerPage, "authorization-link-result");
  // The result is shown once: a reload (or anyone opening the address) learns nothing.
  await ownerPage.reload();
  await expect(ownerPage.getByRole("heading", { level: 1, name: "No result to show" })).toBeVisible();
  await expect(ownerPage.getByText(/re-authorized/)).toHaveCount(0);

  // Single use: the same link again does nothing.
  await ownerPage.goto(link);
  await expect(ownerPage.getByRole("heading", { name: "This link was already used" })).toBeVisible();
  await owner.close();

  // The partner sees the same connection (same id), re-authorized, in its history.
  await page.goto(connectionUrl);
  // (History is a table on wide screens and a list on phones; the one not shown is hidden.)
  await expect(
    page
      .getByText(/re-authorized/i)
      .filter({ visible: true })
      .first(),
  ).toBeVisible();
});

test("a partner sends a connect link; the customer approves with their own Apicbase account; a withdrawn link stops working", async ({
  page,
  browser,
}) => {
  await emulator.setActiveLibrary("otto@sandbox.test", 103);
  await signIn(page, "partner");
  await page.goto("/connections?q=Brasserie+Oost");
  await expect(page.getByRole("heading", { level: 1, name: "Connections" })).toBeVisible();
  const alreadyConnected = (await page.getByRole("row", { name: /Brasserie Oost/ }).count()) > 0;
  const portalNav = page.getByRole("navigation", { name: "Portal" });
  await portalNav.getByRole("link", { name: "Links" }).click();
  await expect(page.getByRole("heading", { name: "Authorization links" })).toBeVisible();
  // The header marks where the partner is.
  await expect(portalNav.getByRole("link", { name: "Links" })).toHaveAttribute("aria-current", "page");
  await expect(portalNav.getByRole("link", { name: "Connections" })).not.toHaveAttribute("aria-current", "page");

  // A name is required; nothing is created without one.
  await page.getByRole("button", { name: "Create connect link" }).click();
  await expect(page.getByText("Name the customer (2 to 80 characters)")).toBeVisible();
  await expect(page.getByLabel("Authorization link", { exact: true })).toHaveCount(0);

  await page.getByLabel("Customer").fill("Brasserie Oost, Ghent");
  await page.getByRole("button", { name: "Create connect link" }).click();
  const linkField = page.getByLabel("Authorization link", { exact: true });
  await expect(linkField).toBeVisible();
  const link = await linkField.inputValue();
  expect(link).toMatch(/\/authorize\/[A-Za-z0-9_-]{43}$/);
  const links = page.getByRole("region", { name: /^Links/ });
  const row = links.getByRole("listitem").filter({ hasText: "Brasserie Oost, Ghent" });
  await expect(row).toContainText("Waiting for approval");
  await expect(row).toContainText(/Works until it expires in [67] days \(\d+ \w+ \d{4}, \d\d:\d\d UTC\)/);
  await screenshot(page, "links-page");

  // The customer's browser: no portal account, their own Apicbase login.
  const customer = await browser.newContext();
  const customerPage = await customer.newPage();
  await customerPage.goto(link);
  await expect(
    customerPage.getByText(/asks you to connect your Apicbase library \(for Brasserie Oost, Ghent\)/),
  ).toBeVisible();
  await approveThroughLink(customerPage, "otto");
  // Journeys before this one may have connected Brasserie Oost already: then the link updated that connection, and
  // both pages must say so (problem 8 of issue 10); otherwise it is a new connection.
  const outcome = alreadyConnected
    ? { heading: "Updated an existing connection", label: "Already connected: updated" }
    : { heading: "Connected", label: "New connection" };
  await expect(customerPage.getByRole("heading", { name: outcome.heading, exact: true })).toBeVisible();
  await customer.close();

  // The partner's list says it was used, what it did, and for which library; the connection is on the dashboard.
  await page.reload();
  await expect(row).toContainText("Used");
  await expect(row).toContainText(outcome.label);
  await row.getByRole("link", { name: "Brasserie Oost" }).click();
  await expect(page.getByRole("heading", { name: "Brasserie Oost" })).toBeVisible();

  // A second link, withdrawn before anyone used it, no longer works.
  await page.goto("/links");
  await page.getByLabel("Customer").fill("Café Zuid");
  await page.getByRole("button", { name: "Create connect link" }).click();
  const second = await page.getByLabel("Authorization link", { exact: true }).inputValue();
  const secondRow = links.getByRole("listitem").filter({ hasText: "Café Zuid" });
  await secondRow.getByRole("button", { name: "Withdraw the link for Café Zuid" }).click();
  await expect(secondRow).toContainText("Withdrawn");
  await expect(secondRow.getByRole("button", { name: /Withdraw/ })).toHaveCount(0);
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(second);
  await expect(strangerPage.getByRole("heading", { name: "This link has expired" })).toBeVisible();
  await expect(strangerPage.getByRole("button", { name: "Continue to Apicbase" })).toHaveCount(0);
  await stranger.close();
});

/** As the partner on /links: a connect link for `customer`, approved by otto in a browser of their own; the customer's page. */
async function approveConnectLink(page: Page, browser: Browser, customer: string) {
  await page.goto("/links");
  await page.getByLabel("Customer").fill(customer);
  await page.getByRole("button", { name: "Create connect link" }).click();
  const link = await page.getByLabel("Authorization link", { exact: true }).inputValue();
  const { page: customerPage, close } = await approveLinkElsewhere(browser, link, "otto");
  return { customerPage, close };
}

test("a connect link used for a library the organization already connected says it updated that connection", async ({
  page,
  browser,
}) => {
  await emulator.setActiveLibrary("otto@sandbox.test", 103);
  await signIn(page, "partner");
  // Brasserie Oost is connected first (by an earlier journey or by this link, whichever it is).
  const first = await approveConnectLink(page, browser, "Brasserie Oost (first link)");
  await expect(
    first.customerPage.getByRole("heading", { name: /^(Connected|Updated an existing connection)$/ }),
  ).toBeVisible();
  await first.close();

  // A link made for another customer, used by otto with Brasserie Oost still active: an update, and it says so.
  const second = await approveConnectLink(page, browser, "Trattoria West (Sam)");
  const result = second.customerPage;
  await expect(result.getByRole("heading", { name: "Updated an existing connection" })).toBeVisible();
  await expect(result.getByRole("status")).toContainText('"Brasserie Oost" was already connected to Sandbox partner');
  await expect(result.getByRole("status")).toContainText("updated that connection");
  const facts = result.getByRole("definition");
  await expect(facts.nth(0)).toHaveText("Trattoria West (Sam)");
  await expect(facts.nth(1)).toHaveText("Brasserie Oost (103)");
  await expect(facts.nth(2)).toContainText("otto@sandbox.test");
  await screenshot(result, "authorization-link-result-updated");
  await second.close();

  await page.goto("/links");
  const row = page
    .getByRole("region", { name: /^Links/ })
    .getByRole("listitem")
    .filter({ hasText: "Trattoria West (Sam)" });
  await expect(row).toContainText("Already connected: updated");
  await expect(row).toContainText(
    /Used .* by otto@sandbox\.test: updated the existing connection of Brasserie Oost \(103\)/,
  );
  await expect(row).toContainText("Made for Trattoria West (Sam); the library connected is Brasserie Oost.");
  await screenshot(page, "links-page-updated");
});

test("an unknown or malformed link says it does not work, without touching anything", async ({ page }) => {
  await page.goto(`/authorize/${"x".repeat(43)}`);
  await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();
  await page.goto("/authorize/short");
  await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();
});

test("a crafted result address shows no success: the outcome only comes sealed from the approval itself", async ({
  page,
}) => {
  const crafted = [
    "/authorize/result?outcome=connected",
    `/authorize/result?outcome=reauthorized&link=${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`,
    "/authorize/result?outcome=updated",
  ];
  for (const path of crafted) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: "No result to show" })).toBeVisible();
    await expect(page.getByRole("heading", { name: /^(Connected|Re-authorized)$/ })).toHaveCount(0);
  }
  // Nor does a forged cookie or the header the portal uses internally.
  await page
    .context()
    .addCookies([{ name: "portal_link_result", value: "v1.k0.forged.forged.forged", url: `${page.url()}` }]);
  await page.setExtraHTTPHeaders({ "x-portal-link-result": "v1.k0.forged.forged.forged" });
  await page.goto("/authorize/result?outcome=connected");
  await expect(page.getByRole("heading", { level: 1, name: "No result to show" })).toBeVisible();
  await screenshot(page, "authorization-link-result-none");
});
