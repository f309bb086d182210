import { expect, test } from "@playwright/test";
import { screenshot, signIn } from "./journey";

/**
 * A partner member creates an API key for a backend, the backend uses it, the member revokes it: the key is shown
 * once, never again, and stops working at once.
 */
test("API keys: create (shown once), use with the token API, revoke", async ({ page, request }) => {
  await signIn(page, "partner");
  await page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();

  await page.getByLabel("Key name").fill("x");
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByText("Use at least 2 characters.")).toBeVisible();

  const name = `Nightly sync ${Date.now()}`;
  await page.getByLabel("Key name").fill(name);
  await page.getByRole("button", { name: "Create API key" }).click();
  const shown = page.getByLabel("New API key");
  await expect(shown).toHaveValue(/^apb_[A-Za-z0-9_-]{43}$/);
  const key = await shown.inputValue();
  await screenshot(page, "api-keys-created");

  const listed = await request.get("/api/v1/connections", { headers: { Authorization: `Bearer ${key}` } });
  expect(listed.status()).toBe(200);
  expect(listed.headers()["cache-control"]).toBe("no-store");
  expect(await listed.json()).toMatchObject({ data: expect.any(Array), next_cursor: null });

  // Shown once: after a reload the page holds the name and the first characters, never the key.
  await page.reload();
  const row = page.getByRole("listitem").filter({ hasText: name });
  await expect(row).toContainText(key.slice(0, 12));
  expect(await page.content()).not.toContain(key);

  await row.getByRole("button", { name: `Revoke the API key “${name}”` }).click();
  // Revoking asks first: Cancel keeps the key working.
  const dialog = page.getByRole("dialog", { name: `Revoke the API key “${name}”?` });
  await expect(dialog).toBeVisible();
  await screenshot(page, "api-keys-revoke-dialog");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect((await request.get("/api/v1/connections", { headers: { Authorization: `Bearer ${key}` } })).status()).toBe(
    200,
  );
  await row.getByRole("button", { name: `Revoke the API key “${name}”` }).click();
  await dialog.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: name })).toContainText("Revoked");
  // The last use stays on record after revoking.
  await expect(page.getByRole("listitem").filter({ hasText: name })).toContainText("Last used");
  await screenshot(page, "api-keys-revoked");

  // The reference, linked from the page, renders the OpenAPI document with examples to copy.
  await page.getByRole("link", { name: "The API reference" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Token API reference" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy: Request" }).first()).toBeVisible();
  await screenshot(page, "api-reference");
  const refused = await request.get("/api/v1/connections", { headers: { Authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({ error: "invalid_api_key" });
});

/**
 * Next.js itself answers a route handler's path with a malformed percent-encoding with a plain-text 500; the portal
 * answers it as the token API answers every bad path, JSON 400, and goes on serving.
 */
test("a malformed percent-encoding in a token API path is a JSON 400, and the portal goes on answering", async ({
  request,
}) => {
  for (const path of [
    "/api/v1/connections/%E0%A4%A/access-token",
    "/api/v1/connections/%ZZ/apicbase/products",
    "/api/v1/libraries/%/access-token",
  ]) {
    const answer = await request.get(path, { headers: { Authorization: "Bearer apb_not_a_key" } });
    expect(answer.status(), path).toBe(400);
    expect(answer.headers()["content-type"]).toContain("application/json");
    expect(await answer.json()).toEqual({
      error: "invalid_request",
      message: "The path holds a malformed percent-encoding.",
    });
  }
  const after = await request.get("/api/v1/connections", { headers: { Authorization: "Bearer apb_not_a_key" } });
  expect(after.status()).toBe(401);
  expect(await after.json()).toMatchObject({ error: "invalid_api_key" });
});
