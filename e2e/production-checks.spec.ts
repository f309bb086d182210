import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { PORTAL_URL_REQUIRED, SANDBOX_REFUSED } from "../lib/production-checks";
import { freePort } from "../testing/ports";

/**
 * The production build started directly with `next start` (no `npm start` around it) refuses what production must not
 * run: no PORTAL_URL, or the sandbox without SANDBOX=1. It binds a free port for a moment.
 */
function nextStart(port: number, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "portal-production-checks-"));
  const child = spawn(path.join("node_modules", ".bin", "next"), ["start", "-p", String(port)], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      DATA_DIR: dataDir,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, output });
    }),
  );
}

test("next start in production refuses to run without PORTAL_URL", async () => {
  const port = await freePort();
  const { code, output } = await nextStart(port, {
    AUTH_APICBASE_ID: "partner-app",
    AUTH_APICBASE_SECRET: "partner-secret",
  });
  expect(code).toBe(1);
  expect(output).toContain(PORTAL_URL_REQUIRED);
  expect(output).not.toContain(SANDBOX_REFUSED);
});

test("next start in production refuses the sandbox (demo admin, demo data) unless SANDBOX=1", async () => {
  const port = await freePort();
  const { code, output } = await nextStart(port, { PORTAL_URL: `http://localhost:${port}` });
  expect(code).toBe(1);
  expect(output).toContain(SANDBOX_REFUSED);
  expect(output).not.toContain(PORTAL_URL_REQUIRED);
});
