import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey } from "@/lib/crypto/secrets";
import { createPostgresDatabase, findPostgres } from "@/testing/lifecycle-fixtures";

const root = path.resolve(__dirname, "../..");
const postgresAdminUrl = await findPostgres();

/** Runs `npm run worker`'s script; `until` decides, from its output so far, when to send SIGTERM. */
function runWorker(
  env: Record<string, string>,
  until?: (output: string) => boolean,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/worker.ts"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: "", AUTH_APICBASE_ID: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let signalled = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      // One SIGTERM only: a second one, sent while the worker is already stopping, would kill tsx outright.
      if (!signalled && until?.(output) && child.exitCode === null) {
        signalled = true;
        child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    // Catches a hang; generous because starting tsx on a loaded 2-core machine alone can take 20 s.
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("npm run worker", () => {
  it("refuses to run on PGlite, which the web server owns, and says why", async () => {
    const { code, output } = await runWorker({ TOKEN_ENCRYPTION_KEY: generateKey(), DATA_DIR: "/nonexistent" });
    expect(code).toBe(1);
    expect(output).toMatch(/needs PostgreSQL \(DATABASE_URL\)/);
    expect(output).toMatch(/PGlite/);
  });

  describe.runIf(postgresAdminUrl)("on PostgreSQL", () => {
    let database: { url: string; drop(): Promise<void> };
    beforeAll(async () => {
      database = await createPostgresDatabase(postgresAdminUrl!);
    });
    afterAll(() => database?.drop());

    it("starts refreshing and stops cleanly on SIGTERM", async () => {
      const { code, output } = await runWorker(
        { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: generateKey(), APICBASE_BASE_URL: "http://127.0.0.1:9" },
        (so) => so.includes("refreshing tokens"),
      );
      expect(output).toMatch(/refreshing tokens: up to 20 background refreshes a minute/);
      expect(output).toMatch(/SIGTERM: stopping; no call to Apicbase under way, starting no new call to Apicbase/);
      expect(output).toMatch(/stopped in \d+ ms/);
      expect(code).toBe(0);
    }, 60_000);
  });
});
