import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import { adminEmailsFromEnv } from "@/lib/auth/admins";
import { readEnv } from "@/lib/env";
import { PORTAL_URL_REQUIRED, productionRefusals, SANDBOX_REFUSED } from "./production-checks";

const CREDENTIALS = { AUTH_APICBASE_ID: "partner-app", AUTH_APICBASE_SECRET: "secret" };

describe("productionRefusals", () => {
  it("refuses production without PORTAL_URL, and the sandbox in production without SANDBOX=1", () => {
    expect(productionRefusals({ NODE_ENV: "production", ...CREDENTIALS })).toEqual([PORTAL_URL_REQUIRED]);
    expect(productionRefusals({ NODE_ENV: "production", PORTAL_URL: "", ...CREDENTIALS })).toEqual([
      PORTAL_URL_REQUIRED,
    ]);
    expect(productionRefusals({ NODE_ENV: "production", PORTAL_URL: "https://portal.example" })).toEqual([
      SANDBOX_REFUSED,
    ]);
    // APICBASE_BASE_URL without credentials is the sandbox too: the demo application against some emulator.
    expect(
      productionRefusals({
        NODE_ENV: "production",
        PORTAL_URL: "https://p.example",
        APICBASE_BASE_URL: "http://127.0.0.1:4010",
      }),
    ).toEqual([SANDBOX_REFUSED]);
    expect(productionRefusals({ NODE_ENV: "production", SANDBOX: "true" })).toEqual([
      PORTAL_URL_REQUIRED,
      SANDBOX_REFUSED,
    ]);
  });

  it("lets production start with its URL and credentials, or with SANDBOX=1; anything goes outside production", () => {
    expect(
      productionRefusals({ NODE_ENV: "production", PORTAL_URL: "https://portal.example", ...CREDENTIALS }),
    ).toEqual([]);
    expect(productionRefusals({ NODE_ENV: "production", PORTAL_URL: "http://localhost:3000", SANDBOX: "1" })).toEqual(
      [],
    );
    expect(productionRefusals({})).toEqual([]);
    expect(productionRefusals({ NODE_ENV: "development" })).toEqual([]);
  });

  it("says what to set", () => {
    expect(PORTAL_URL_REQUIRED).toMatch(/PORTAL_URL must be set when NODE_ENV=production/);
    expect(SANDBOX_REFUSED).toMatch(/AUTH_APICBASE_ID.*SANDBOX=1/s);
  });
});

describe("the sandbox's paths in production", () => {
  it("every one of them (settings, demo admin, seeding at server start) refuses without SANDBOX=1", () => {
    const production = readEnv({
      NODE_ENV: "production",
      PORTAL_URL: "https://portal.example",
    } as unknown as NodeJS.ProcessEnv);
    expect(() => resolveApicbaseSettings(production)).toThrow(SANDBOX_REFUSED);
    // The demo admin comes from the same settings: admin@sandbox.test is no admin of a production portal.
    expect(() => adminEmailsFromEnv(production)).toThrow(SANDBOX_REFUSED);
  });

  it("runs with SANDBOX=1, and with credentials nothing of the sandbox is used", () => {
    const sandbox = readEnv({ NODE_ENV: "production", SANDBOX: "1" } as unknown as NodeJS.ProcessEnv);
    expect(resolveApicbaseSettings(sandbox).target).toBe("sandbox");
    expect([...adminEmailsFromEnv(sandbox)]).toEqual(["admin@sandbox.test"]);
    const real = readEnv({ NODE_ENV: "production", ...CREDENTIALS } as unknown as NodeJS.ProcessEnv);
    expect(resolveApicbaseSettings(real).target).toBe("production");
    expect(adminEmailsFromEnv(real).size).toBe(0);
  });

  it("rejects a SANDBOX or TRUST_PROXY value other than 0 or 1 with a message", () => {
    expect(() => readEnv({ SANDBOX: "yes" } as unknown as NodeJS.ProcessEnv)).toThrow();
    expect(() => readEnv({ TRUST_PROXY: "true" } as unknown as NodeJS.ProcessEnv)).toThrow();
  });
});

describe("npm start in production", () => {
  const root = path.resolve(__dirname, "..");

  /** scripts/start.ts with exactly this environment (no .env of the developer's shell). */
  function start(env: Record<string, string>) {
    const dataDir = mkdtempSync(path.join(tmpdir(), "portal-start-"));
    try {
      return spawnSync(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/start.ts"], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          DATA_DIR: dataDir,
          PORT: "1",
          EMULATOR_PORT: "1",
          ...env,
        } as unknown as NodeJS.ProcessEnv,
        encoding: "utf8",
        timeout: 60_000,
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it("refuses to start without PORTAL_URL, before starting or building anything", () => {
    const run = start({
      NODE_ENV: "production",
      ...CREDENTIALS,
      AUTH_SECRET: "s".repeat(32),
      TOKEN_ENCRYPTION_KEY: "k",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(PORTAL_URL_REQUIRED);
    expect(run.stdout).not.toMatch(/building|starting the Apicbase emulator/);
  });

  it("refuses the sandbox without SANDBOX=1: no emulator, no demo admin, no demo data", () => {
    const run = start({ NODE_ENV: "production", PORTAL_URL: "https://portal.example" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(SANDBOX_REFUSED);
    expect(run.stdout).not.toMatch(/starting the Apicbase emulator|building/);
  });
});
