import { expect, test } from "@playwright/test";
import { CONNECT_START_RULE, SIGN_IN_START_RULE } from "../lib/attempts/counters";
import { captureServerAction, replayServerAction, screenshot, signIn } from "./journey";
import { E2E_SIGN_IN_START_LIMIT } from "./urls";

/**
 * Sign-in starts are counted per address in the database. The portal runs without a proxy here, so Next.js keeps the
 * X-Forwarded-For a client sends: this journey uses an address of its own and leaves 127.0.0.1 alone.
 */
test("more sign-in starts than allowed from one address: 429 with Retry-After, and a page that says when to retry", async ({
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  const address = `198.51.100.${Math.floor(Math.random() * 200) + 20}`;
  const start = () =>
    request.post("/api/auth/signin/apicbase", { headers: { "X-Forwarded-For": address }, maxRedirects: 0 });
  for (let n = 0; n < E2E_SIGN_IN_START_LIMIT; n++) expect((await start()).status()).not.toBe(429);
  const refused = await start();
  expect(refused.status()).toBe(429);
  const retryAfter = Number(refused.headers()["retry-after"]);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_START_RULE.windowSeconds);
  expect(await refused.text()).toMatch(/Too many sign-in attempts from this address\. Try again in \d+ seconds\./);

  // The sign-in button, from the same address: no trip to Apicbase, a page that says what happened and until when.
  const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": address } });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await expect(page.getByRole("heading", { name: "Too many sign-in attempts" })).toBeVisible();
  await expect(page.getByText("Sign in again from")).toBeVisible();
  await expect(page).toHaveURL(/\/signin\/error\?reason=too_many_attempts/);
  await screenshot(page, "sign-in-too-many-attempts");

  // Another address still signs in as usual.
  const other = await (await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": "198.51.100.7" } })).newPage();
  await other.goto("/signin");
  await other.getByRole("button", { name: "Sign in with Apicbase" }).click();
  await expect(other).toHaveURL(/accounts\/login/);
});

test("more connect starts than allowed in one session: the connections page says so, and nothing is started", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const page = await (await browser.newContext()).newPage();
  await signIn(page, "partner");
  await page.goto("/connections");
  const connect = page.getByRole("button", { name: "Connect a library" });

  // The form's server action, captured once without letting it through, then sent as fast as a script would.
  const captured = await captureServerAction(page, () => connect.click(), "**/connections*");
  for (let n = 0; n < CONNECT_START_RULE.limit; n++) {
    const response = await replayServerAction(page.request, captured, { maxRedirects: 0 });
    expect(response.status()).toBeLessThan(500);
  }

  // One more, by the button: no trip to Apicbase, a message instead.
  await page.goto("/connections");
  await connect.click();
  await expect(page).toHaveURL(/connect_error=too_many_starts/);
  await expect(page.getByText("Too many connect attempts from this session")).toBeVisible();
  await screenshot(page, "connections-too-many-starts");
});
