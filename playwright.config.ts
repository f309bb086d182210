import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { E2E_SIGN_IN_START_LIMIT, EMULATOR_URL, PORTAL_URL } from "./e2e/urls";

/**
 * End-to-end journeys against the production build (`next build` must have run: `npm test` does it), the bundled
 * emulator and a fresh database.
 */

// Workers load this file again; keeping the per-run values in the environment gives them the same ones.
// The key has generateKey()'s format: 32 random bytes, base64.
const dataDir = (process.env.E2E_DATA_DIR ??= path.join(tmpdir(), `apicbase-portal-e2e-${Date.now()}-${process.pid}`));
const authSecret = (process.env.E2E_AUTH_SECRET ??= randomBytes(32).toString("base64url"));
const encryptionKey = (process.env.E2E_TOKEN_ENCRYPTION_KEY ??= randomBytes(32).toString("base64"));
// Everything the portal prints, for e2e/zz-logs.spec.ts to search for secrets once every journey has run.
const portalLog = (process.env.E2E_PORTAL_LOG ??= `${dataDir}.portal.log`);

const chromium = "/usr/bin/chromium";
const ISOLATED = [
  "DATABASE_URL",
  "AUTH_APICBASE_ID",
  "AUTH_APICBASE_SECRET",
  "APICBASE_AUTHORIZE_URL",
  "APICBASE_TOKEN_URL",
  "APICBASE_INTROSPECT_URL",
  "APICBASE_REVOKE_URL",
  "APICBASE_API_URL",
  "APICBASE_SCOPES",
  "PORTAL_ADMIN_EMAILS",
];

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  globalTeardown: "./e2e/global-teardown.ts",
  // A journey takes 5-25 s on an idle 2-core machine, and two to three times that while other work runs on it.
  timeout: 90_000,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: process.env.CI ? 2 : undefined,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: PORTAL_URL,
    trace: "on-first-retry",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      // The journeys share the sandbox organization and one emulator (whose grants, clock and active libraries they
      // change), so they run one file at a time, in name order: auth.spec.ts sees the organization still empty.
      workers: 1,
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: existsSync(chromium) ? chromium : undefined,
          // Root needs --no-sandbox; the rest stops Chromium calling hosts this network cannot reach.
          args: [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
          ],
        },
      },
    },
  ],
  webServer: [
    {
      name: "emulator",
      command: "node_modules/.bin/tsx emulator/main.ts",
      env: { EMULATOR_PORT: new URL(EMULATOR_URL).port, EMULATOR_HOST: "127.0.0.1", PORTAL_URL },
      url: `${EMULATOR_URL}/accounts/login/`,
      wait: { stdout: /Apicbase emulator listening on/ },
      reuseExistingServer: !process.env.CI,
      // Ceilings for a loaded machine (both start in seconds when it is idle).
      timeout: 90_000,
    },
    {
      name: "portal",
      command: `node_modules/.bin/next start -p ${new URL(PORTAL_URL).port} 2>&1 | tee -a "${portalLog}"`,
      env: {
        // A fresh sandbox whatever the shell or a .env file says (an empty value counts as unset and wins over .env).
        ...Object.fromEntries(ISOLATED.map((name) => [name, ""])),
        APICBASE_BASE_URL: EMULATOR_URL,
        DATA_DIR: dataDir,
        AUTH_SECRET: authSecret,
        TOKEN_ENCRYPTION_KEY: encryptionKey,
        PORTAL_URL,
        // `next start` runs with NODE_ENV=production, where the sandbox needs saying so.
        SANDBOX: "1",
        // Journeys move the emulator's clock and queue its faults: no background refresh may race them.
        REFRESHER: "off",
        SIGN_IN_START_LIMIT: String(E2E_SIGN_IN_START_LIMIT),
      },
      url: `${PORTAL_URL}/`,
      reuseExistingServer: !process.env.CI,
      // Migrating a fresh PGlite database and seeding the sandbox come first; on a loaded machine that took over 60 s.
      timeout: 180_000,
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
  ],
});
