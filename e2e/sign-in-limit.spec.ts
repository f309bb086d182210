import { expect, test } from "@playwright/test";
import { SIGN_IN_START_RULE } from "../lib/attempts/counters";
import { screenshot } from "./journey";
import { E2E_SIGN_IN_START_LIMIT } from "./urls";

/**
 * Sign-in starts are counted per address in the database. The portal runs without a proxy here, so Next.js keeps the
 * X-Forwarded-For a client sends: this journey uses an address of its own and leaves 127.0.0.1 alone.
 */
test("more sign-in starts than allowed from one address: 429 with Retry-After, and a page that says when to retry", async ({ browser, request }) => {
  const address = `198.51.100.${Math.floor(Math.random() * 200) + 20}`;
  const start = () => request.post("/api/auth/signin/apicbase", { headers: { "X-Forwarded-For": address }, maxRedirects: 0 });
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
