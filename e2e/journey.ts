/** Steps the connection journeys share: signing in to the portal and acting as a person on Apicbase's pages. */
import path from "node:path";
import {
  expect,
  type APIRequestContext,
  type APIResponse,
  type Browser,
  type Locator,
  type Page,
  type Request,
} from "@playwright/test";
import { SANDBOX_DESK_APP, SANDBOX_USERS } from "../lib/sandbox";
import { EMULATOR_URL, PORTAL_URL, SCREENSHOTS_DIR } from "./urls";

export type DemoUser = "admin" | "partner" | "nora" | "otto" | "sam";

export function demoUser(name: DemoUser) {
  const user = SANDBOX_USERS.find((candidate) => candidate.email === `${name}@sandbox.test`);
  if (!user) throw new Error(`no sandbox user ${name}`);
  return user;
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}

/** On Apicbase's (the emulator's) login page: log in with a username and password as typed. */
export async function logInAtApicbaseWith(page: Page, username: string, password: string) {
  await expect(page).toHaveURL(new RegExp(`^${EMULATOR_URL}/accounts/login/`));
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** On Apicbase's (the emulator's) login page: log in as a demo user. */
export async function logInAtApicbase(page: Page, name: DemoUser) {
  const user = demoUser(name);
  await logInAtApicbaseWith(page, user.email, user.password);
}

/** On Apicbase's consent page: approve or cancel. */
export async function answerConsent(page: Page, answer: "Authorize" | "Cancel" = "Authorize") {
  await expect(page.getByRole("heading", { name: /^Authorize / })).toBeVisible();
  await page.getByRole("button", { name: answer }).click();
}

/** On an authorization link's page: on to Apicbase, logged in there as `name`, approved. */
export async function approveThroughLink(page: Page, name: DemoUser) {
  await page.getByRole("button", { name: "Continue to Apicbase" }).click();
  await logInAtApicbase(page, name);
  await answerConsent(page);
}

/** `link` opened in a browser of its own (the library owner's, without a portal session) and approved as `name`. */
export async function approveLinkElsewhere(
  browser: Browser,
  link: string,
  name: DemoUser,
): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await approveThroughLink(page, name);
  return { page, close: () => context.close() };
}

/** The portal's sign-in, through Apicbase's login and consent pages, as a person would. */
export async function signIn(page: Page, name: DemoUser) {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await logInAtApicbase(page, name);
  await answerConsent(page);
  await expect(page).not.toHaveURL(/\/signin/);
}

/** A browser of its own, signed in as `name`. */
export async function signedInPage(browser: Browser, name: DemoUser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, name);
  return page;
}

/**
 * As an admin: registers the sandbox's application without a redirect URL (SANDBOX_DESK_APP) on /admin/applications,
 * unless an earlier journey did, and makes sure it is enabled.
 */
export async function registerDeskApp(admin: Page) {
  await admin.goto("/admin/applications");
  const card = admin.getByRole("region", { name: SANDBOX_DESK_APP.name });
  if ((await card.count()) === 0) {
    const form = admin.getByRole("region", { name: "Register an application" });
    await form.getByLabel("Name", { exact: true }).fill(SANDBOX_DESK_APP.name);
    await form.getByLabel("Client id", { exact: true }).fill(SANDBOX_DESK_APP.clientId);
    await form.getByLabel("Client secret", { exact: true }).fill(SANDBOX_DESK_APP.clientSecret);
    await form.getByRole("radio", { name: /No redirect URL \(manual code entry\)/ }).check();
    await form.getByRole("button", { name: "Register application" }).click();
    await expect(form.getByRole("status")).toContainText(`Registered “${SANDBOX_DESK_APP.name}”`);
  }
  const enable = card.getByRole("button", { name: `Enable ${SANDBOX_DESK_APP.name}` });
  if (await enable.count()) await enable.click();
  await expect(card.getByRole("button", { name: `Disable ${SANDBOX_DESK_APP.name}` })).toBeVisible();
}

/** As an admin: creates an organization of the journey's own (so other journeys' counts stay as they expect); its id. */
export async function createOrganization(admin: Page, name: string): Promise<string> {
  await admin.goto("/admin/organizations");
  const create = admin.getByRole("region", { name: "Create organization" });
  await create.getByLabel("Organization name").fill(name);
  await create.getByRole("button", { name: "Create organization" }).click();
  await expect(create.getByRole("status")).toHaveText(`Created "${name}".`);
  const labelledBy = await admin.getByRole("region", { name }).getAttribute("aria-labelledby");
  const id = /^organization-(.+)-title$/.exec(labelledBy ?? "")?.[1];
  if (!id) throw new Error(`no id for organization ${name}`);
  return id;
}

/**
 * Signs `page` in as the admin, makes the desk app ready (registerDeskApp) and creates an organization of the
 * journey's own, named `prefix` and a stamp; its id.
 */
export async function deskAppOrganization(page: Page, prefix: string): Promise<string> {
  await signIn(page, "admin");
  await registerDeskApp(page);
  return createOrganization(page, `${prefix} ${Date.now().toString(36)}`);
}

/**
 * As an admin on /admin/organizations: adds `email` to the organization named `organization`; the status its card
 * answers with.
 */
export async function addMember(admin: Page, organization: string, email: string): Promise<Locator> {
  const card = admin.getByRole("region", { name: organization });
  await card.getByLabel(`Add a member to ${organization}`).fill(email);
  await card.getByRole("button", { name: "Add member" }).click();
  return card.getByRole("status");
}

/**
 * Clicks a button of a server-action form and captures the POST it sends, without letting it through. `pattern` is
 * the page's own path unless given.
 */
export async function captureServerAction(
  page: Page,
  click: () => Promise<void>,
  pattern = `**${new URL(page.url()).pathname}`,
): Promise<Request> {
  let captured: Request | undefined;
  await page.route(pattern, async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    captured = route.request();
    await route.abort();
  });
  await click();
  await expect.poll(() => captured).toBeDefined();
  await page.unroute(pattern);
  return captured!;
}

/**
 * A server action's request as one person's browser sent it, sent again with another session (the request context's
 * cookies) and the portal's Origin; `headers` adds or overrides headers, `maxRedirects` is Playwright's.
 */
export function replayServerAction(
  as: APIRequestContext,
  request: Request,
  { headers = {}, ...options }: { headers?: Record<string, string>; maxRedirects?: number } = {},
): Promise<APIResponse> {
  const original = request.headers();
  return as.post(request.url(), {
    headers: {
      "next-action": original["next-action"] ?? "",
      "next-router-state-tree": original["next-router-state-tree"] ?? "",
      "content-type": original["content-type"] ?? "",
      accept: "text/x-component",
      origin: PORTAL_URL,
      ...headers,
    },
    data: request.postDataBuffer() ?? "",
    ...options,
  });
}
