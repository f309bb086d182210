import { test, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { EmulatorControl } from "../emulator/testing";
import { createOrganization, screenshot, type DemoUser } from "./journey";
import { answerConsent, expect, logInAtApicbase } from "./patient";
import { EMULATOR_URL, PORTAL_URL } from "./urls";

/**
 * The dashboard for many libraries (issue 15): sort by any column, search as you type, filter by application and
 * (admins) organization, all in the URL and surviving a reload, from the keyboard; copy buttons and "copy as curl" on
 * a connection's page; and a 390 px wide phone through the list and a connection's page. In an organization of its
 * own, with three libraries: Brasserie Oost (103, otto), Café Zuid (102, nora) and Trattoria West (104, otto).
 */
test.describe.configure({ mode: "serial" });

const emulator = new EmulatorControl(EMULATOR_URL);
const ORGANIZATION = `Sort Kitchen ${Date.now().toString(36)}`;

let context: BrowserContext;
let page: Page;
let organizationId: string;
let cafeConnection: string;

/** Connects the library active for `owner` at Apicbase to the journey's organization; the connection's id. */
async function connect(owner: DemoUser): Promise<string> {
  await page.goto(`/connections?organization=${organizationId}`);
  await context.clearCookies({ domain: "127.0.0.1" });
  await page.getByRole("button", { name: "Connect a library" }).click();
  await logInAtApicbase(page, owner);
  await answerConsent(page);
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?notice=connected$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

/** The library names of the table's rows, top to bottom. */
const tableOrder = () =>
  page.getByRole("region", { name: "Connections table" }).locator("tbody tr th a").allTextContents();
const header = (name: string): Locator =>
  page.getByRole("region", { name: "Connections table" }).getByRole("columnheader", { name: new RegExp(`^${name}`) });

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
});

test.afterAll(async () => {
  await emulator.setActiveLibrary("nora@sandbox.test", 101).catch(() => undefined);
  await emulator.setActiveLibrary("otto@sandbox.test", 103).catch(() => undefined);
  await context?.close();
});

test("an admin connects three libraries to an organization of its own", async () => {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await logInAtApicbase(page, "admin");
  await answerConsent(page);
  await page.waitForURL((url) => !url.pathname.startsWith("/signin") && url.port !== new URL(EMULATOR_URL).port);
  organizationId = await createOrganization(page, ORGANIZATION);

  await emulator.setActiveLibrary("otto@sandbox.test", 103);
  await connect("otto");
  await emulator.setActiveLibrary("otto@sandbox.test", 104);
  await connect("otto");
  await emulator.setActiveLibrary("nora@sandbox.test", 102);
  cafeConnection = await connect("nora");
});

test("sorting by a column header lives in the URL, survives a reload and works from the keyboard", async () => {
  await page.goto(`/connections?organization=${organizationId}`);
  await expect(page.getByRole("status").filter({ hasText: /^Showing/ })).toHaveText("Showing 1–3 of 3 connections.");
  expect(await tableOrder()).toEqual(["Brasserie Oost", "Café Zuid", "Trattoria West"]);
  await expect(header("Library")).toHaveAttribute("aria-sort", "ascending");
  await expect(header("Status")).toHaveAttribute("aria-sort", "none");

  // Library again: descending.
  await header("Library").getByRole("link").click();
  await expect(page).toHaveURL(/[?&]dir=desc(&|$)/);
  await expect(header("Library")).toHaveAttribute("aria-sort", "descending");
  await expect.poll(tableOrder).toEqual(["Trattoria West", "Café Zuid", "Brasserie Oost"]);
  await page.reload();
  await expect(header("Library")).toHaveAttribute("aria-sort", "descending");
  expect(await tableOrder()).toEqual(["Trattoria West", "Café Zuid", "Brasserie Oost"]);
  await expect(page.getByLabel("Sort by")).toHaveValue("library:desc");

  // "Approved by" from the keyboard: focus its header link and press Enter. Nora Nord before Otto Oost.
  await header("Approved by").getByRole("link").focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/[?&]sort=approved(&|$)/);
  await expect(header("Approved by")).toHaveAttribute("aria-sort", "ascending");
  await expect(header("Library")).toHaveAttribute("aria-sort", "none");
  await expect.poll(async () => (await tableOrder())[0]).toBe("Café Zuid");
  await screenshot(page, "dashboard-sorted-by-approver");

  // The "Sort by" list does the same (and is what narrow screens use).
  await page.getByLabel("Sort by").selectOption({ label: "Library Z–A" });
  await expect(page).toHaveURL(/[?&]dir=desc(&|$)/);
  await expect(page).not.toHaveURL(/sort=approved/);
  await expect.poll(tableOrder).toEqual(["Trattoria West", "Café Zuid", "Brasserie Oost"]);
});

test("search follows typing without Enter, and the search survives a reload", async () => {
  await page.goto(`/connections?organization=${organizationId}`);
  const search = page.getByRole("searchbox", { name: "Search by library name or id" });
  await search.pressSequentially("tratt", { delay: 40 });
  // No Enter: the URL and the list follow once typing pauses.
  await expect(page).toHaveURL(/[?&]q=tratt(&|$)/);
  await expect.poll(tableOrder).toEqual(["Trattoria West"]);
  await expect(page.getByRole("status").filter({ hasText: /^Showing/ })).toHaveText(
    "Showing 1–1 of 1 connection matching.",
  );
  await expect(search).toBeFocused();
  await page.reload();
  await expect(search).toHaveValue("tratt");
  expect(await tableOrder()).toEqual(["Trattoria West"]);

  // A library id, typed.
  await search.fill("102");
  await expect(page).toHaveURL(/[?&]q=102(&|$)/);
  await expect.poll(tableOrder).toEqual(["Café Zuid"]);
  await search.fill("");
  await expect(page).not.toHaveURL(/[?&]q=/);
  await expect.poll(async () => (await tableOrder()).length).toBe(3);
});

test("filtering by application lives in the URL and survives a reload", async () => {
  await page.goto(`/connections?organization=${organizationId}`);
  const application = page.getByLabel("Application");
  const options = await application.locator("option").allTextContents();
  expect(options[0]).toBe("All applications");
  const connectedWith = "Partner app (sandbox)";
  expect(options).toContain(connectedWith);
  const other = options.find((option) => option !== "All applications" && option !== connectedWith);

  await application.selectOption({ label: connectedWith });
  await expect(page).toHaveURL(/[?&]app=[0-9a-f-]{36}(&|$)/);
  await expect.poll(async () => (await tableOrder()).length).toBe(3);
  await page.reload();
  await expect(application).toHaveValue(/^[0-9a-f-]{36}$/);
  expect(await tableOrder()).toHaveLength(3);

  if (other) {
    await application.selectOption({ label: other });
    await expect(page.getByRole("heading", { name: "No connections match this search" })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("heading", { name: "No connections match this search" })).toBeVisible();
    await expect(application.locator("option:checked")).toHaveText(other);
  }
  await page.getByRole("link", { name: "Show all", exact: true }).click();
  await expect(application).toHaveValue("");
  await expect.poll(async () => (await tableOrder()).length).toBe(3);
});

test("the admin list filters by organization, in the URL, across a reload", async () => {
  await page.goto("/admin/connections");
  const organization = page.getByLabel("Organization", { exact: true });
  await organization.selectOption({ label: ORGANIZATION });
  await expect(page).toHaveURL(new RegExp(`[?&]org=${organizationId}(&|$)`));
  await expect.poll(tableOrder).toEqual(["Brasserie Oost", "Café Zuid", "Trattoria West"]);
  await page.getByRole("searchbox", { name: "Search by library name or id" }).fill("zuid");
  await expect(page).toHaveURL(/[?&]q=zuid(&|$)/);
  await expect.poll(tableOrder).toEqual(["Café Zuid"]);
  await page.reload();
  await expect(organization).toHaveValue(organizationId);
  await expect(page.getByRole("searchbox", { name: "Search by library name or id" })).toHaveValue("zuid");
  expect(await tableOrder()).toEqual(["Café Zuid"]);
  await expect(page.getByRole("region", { name: "Connections table" })).toContainText(ORGANIZATION);
  await screenshot(page, "dashboard-admin-filtered");
});

test("a connection's page copies its ids, its link and its token API call as curl (no secret in it)", async () => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: PORTAL_URL });
  await page.goto(`/connections/${cafeConnection}`);
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

  await page.getByRole("button", { name: "Copy connection id" }).click();
  await expect(page.getByRole("button", { name: "Copy connection id" })).toHaveText("Copied");
  expect(await clipboard()).toBe(cafeConnection);
  await page.getByRole("button", { name: "Copy library id" }).click();
  expect(await clipboard()).toBe("102");
  await page.getByRole("button", { name: "Copy link" }).click();
  expect(await clipboard()).toBe(`${PORTAL_URL}/connections/${cafeConnection}`);

  await page.getByRole("button", { name: "Copy as curl" }).click();
  const curl = await clipboard();
  expect(curl).toContain(`${PORTAL_URL}/api/v1/connections/${cafeConnection}/access-token`);
  expect(curl).toContain('-H "Authorization: Bearer $PORTAL_API_KEY"');
  expect(curl).not.toMatch(/apb_[A-Za-z0-9]/);
  await screenshot(page, "connection-copy-buttons");
});

test("on a 390 px phone: cards without sideways scrolling, a one-line header, a readable History", async ({
  browser,
}) => {
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    storageState: await context.storageState(),
  });
  try {
    const mobile = await phone.newPage();
    await mobile.goto(`/connections?organization=${organizationId}`);
    const cards = mobile.getByRole("list", { name: "Connections" }).getByRole("listitem");
    await expect(cards).toHaveCount(3);
    await expect(mobile.getByRole("region", { name: "Connections table" })).toBeHidden();
    const cafe = cards.filter({ hasText: "Café Zuid" });
    await expect(cafe.locator("[data-status]")).toHaveText("Active");
    await expect(cafe).toContainText("Library 102");
    await expect(cafe.getByRole("timer")).toHaveText(/^6d 23h \d\dm \d\ds left$/);
    await expectNoSidewaysScroll(mobile);
    await expectOneLineHeader(mobile);
    await screenshot(mobile, "dashboard-mobile-390");

    // The cards pick connections for a bulk action, one by one or the whole page, as the table's boxes do.
    const bulk = mobile.getByRole("region", { name: "Act on many connections" });
    await cafe.getByRole("checkbox", { name: "Select Café Zuid" }).check();
    await expect(bulk.getByRole("radio", { name: "The 1 connection selected" })).toBeChecked();
    const wholePage = mobile.getByRole("checkbox", { name: "Select every connection on this page" });
    await expect(wholePage).not.toBeChecked();
    await wholePage.check();
    await expect(bulk.getByRole("radio", { name: "The 3 connections selected" })).toBeChecked();
    await expect(cards.getByRole("checkbox", { checked: true })).toHaveCount(3);
    await expectNoSidewaysScroll(mobile);
    await screenshot(mobile, "dashboard-mobile-390-selected");
    await bulk.getByRole("button", { name: "Clear selection" }).click();
    await expect(cards.getByRole("checkbox", { checked: true })).toHaveCount(0);
    await expect(bulk.getByRole("radio", { name: /^All 3 connections/ })).toBeChecked();

    // The menu holds the sections.
    await menu(mobile).click();
    await expect(mobile.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Admin" })).toBeVisible();
    await screenshot(mobile, "dashboard-mobile-390-menu");
    await menu(mobile).click();

    // Sorting on a phone: the "Sort by" list.
    await mobile.getByLabel("Sort by").selectOption({ label: "Library Z–A" });
    await expect(cards.first()).toContainText("Trattoria West");
    await mobile.reload();
    await expect(cards.first()).toContainText("Trattoria West");

    await cafe.getByRole("link", { name: "Café Zuid" }).click();
    await expect(mobile).toHaveURL(new RegExp(`/connections/${cafeConnection}`));
    await expect(mobile.getByRole("heading", { level: 1 })).toHaveText("Café Zuid");
    const history = mobile.getByRole("list", { name: "History" });
    await expect(history.getByRole("listitem").first()).toContainText("Connected");
    await expect(history.getByRole("listitem").first()).toContainText("By ");
    await expect(mobile.getByRole("region", { name: "History table" })).toBeHidden();
    await expectNoSidewaysScroll(mobile);
    await expectOneLineHeader(mobile);
    await screenshot(mobile, "connection-mobile-390");
  } finally {
    await phone.close();
  }
});

/** The narrow screens' menu button (a <summary>). */
const menu = (target: Page) => target.getByRole("banner").locator("summary", { hasText: "Menu" });

async function expectNoSidewaysScroll(target: Page) {
  const widths = await target.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(widths.scroll, "the page scrolls sideways").toBeLessThanOrEqual(widths.client);
}

/** The header is one line: the brand and the menu button side by side, no taller than one row. */
async function expectOneLineHeader(target: Page) {
  const header = await target.getByRole("banner").boundingBox();
  expect(header!.height).toBeLessThan(72);
  await expect(menu(target)).toBeVisible();
}
