import { expect, test } from "@playwright/test";

/** Response headers every answer carries (reliability checklist I1), and that the policy breaks nothing it serves. */
const PAGES = ["/", "/signin", "/signin/error?error=AccessDenied", `/authorize/${"x".repeat(43)}`, "/api/v1/connections", "/no-such-page"];

test("every answer carries the security headers; authorization links never leak through a Referer", async ({ request }) => {
  for (const path of PAGES) {
    const response = await request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    expect.soft(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect.soft(headers["content-security-policy"], path).toContain("object-src 'none'");
    expect.soft(headers["content-security-policy"], path).toContain("base-uri 'none'");
    expect.soft(headers["x-content-type-options"], path).toBe("nosniff");
    expect.soft(headers["x-frame-options"], path).toBe("DENY");
    expect.soft(headers["strict-transport-security"], path).toMatch(/max-age=31536000/);
    expect.soft(headers["x-powered-by"], path).toBeUndefined();
    const referrer = path.startsWith("/authorize/") ? "no-referrer" : "strict-origin-when-cross-origin";
    expect.soft(headers["referrer-policy"], path).toBe(referrer);
  }
});

test("the content security policy blocks nothing the portal's own pages need", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(message.text())) violations.push(message.text());
  });
  for (const path of ["/", "/signin"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
  }
  // Hydrated: the sign-in button works (it is a client-side form).
  await expect(page.getByRole("button", { name: "Sign in with Apicbase" })).toBeEnabled();
  expect(violations).toEqual([]);
});
