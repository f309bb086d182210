/** What the benchmarks share: an emulator in a process of its own (so its work does not count as the portal's). */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { randomUUID } from "node:crypto";
import { EmulatorControl } from "../emulator/testing";
import { sealTokens } from "../lib/connections/tokens";
import type { Keyring } from "../lib/crypto/secrets";
import type { Db } from "../lib/db/client";
import { connections, type NewConnection } from "../lib/db/schema";
import { SANDBOX_PARTNER_APP } from "../lib/sandbox";

/**
 * The bundled emulator without its rate limit, on `port` (0: any free one). Node runs tsx as a loader (no tsx wrapper
 * process), so stop()'s SIGTERM reaches the emulator itself.
 */
export async function spawnEmulator(
  port = 0,
): Promise<{ url: string; control: EmulatorControl; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "emulator/main.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, EMULATOR_PORT: String(port), EMULATOR_HOST: "127.0.0.1", EMULATOR_RATE_LIMIT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not start within 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code})`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { url, control: new EmulatorControl(url), stop };
}

/** The process's peak resident memory, sampled every 50 ms until stopped. */
export function peakMemory(): () => number {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  sampler.unref();
  return () => {
    clearInterval(sampler);
    return Math.max(peak, process.memoryUsage().rss);
  };
}

/**
 * Mints `count` token pairs for Nora at the emulator (25 calls at a time) and stores them, 500 rows a batch, as
 * connections of the organization and application, all due for a refresh `now`. The nth gets library id
 * `firstLibraryId + n` and the name `libraryName(n)`. Answers each new connection's id with its refresh token.
 */
export async function seedDueConnections(args: {
  db: Db;
  keyring: Keyring;
  control: EmulatorControl;
  organizationId: string;
  applicationId: string;
  count: number;
  firstLibraryId: number;
  libraryName: (n: number) => string;
  now: Date;
}): Promise<Map<string, string>> {
  const { db, keyring, control, count, now } = args;
  const seeded = new Map<string, string>();
  for (let start = 0; start < count; start += 500) {
    const size = Math.min(500, count - start);
    const minted = [];
    for (let i = 0; i < size; i += 25) {
      minted.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(25, size - i) }, () =>
            control.mintTokens({
              email: "nora@sandbox.test",
              client_id: SANDBOX_PARTNER_APP.clientId,
              scope: "accounts library",
            }),
          ),
        )),
      );
    }
    const rows: NewConnection[] = minted.map((tokens, i) => {
      const id = randomUUID();
      seeded.set(id, tokens.refresh_token);
      return {
        id,
        organizationId: args.organizationId,
        applicationId: args.applicationId,
        libraryId: args.firstLibraryId + start + i,
        libraryName: args.libraryName(start + i),
        scopes: tokens.scope.split(" "),
        ...sealTokens(keyring, id, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token }),
        tokenVersion: 1,
        accessTokenExpiresAt: new Date(now.getTime() + tokens.expires_in * 1000),
        nextRefreshAt: now,
      };
    });
    await db.insert(connections).values(rows);
  }
  return seeded;
}
