/**
 * `npm start`: everything a fresh clone needs to run the portal. Generates local secrets once, starts the bundled
 * Apicbase emulator when no real Apicbase is configured, builds when the sources changed, then serves the
 * production build. Stops both children on Ctrl-C and exits when either of them dies.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { loadEnvConfig } from "@next/env";
import { generateKey } from "../lib/crypto/secrets";
import { isSandboxEnvironment, productionRefusals, sandboxAllowed } from "../lib/production-checks";
import { SANDBOX_USERS } from "../lib/sandbox";

// npm runs scripts from the package root.
const root = process.cwd();
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

function log(message: string) {
  console.log(`[start] ${message}`);
}

function fail(message: string): never {
  console.error(`[start] ${message}`);
  process.exit(1);
}

type LocalSecrets = { AUTH_SECRET: string; TOKEN_ENCRYPTION_KEY: string };
const SECRET_NAMES = ["AUTH_SECRET", "TOKEN_ENCRYPTION_KEY"] as const;

/**
 * The environment's secrets win; whatever is missing comes from `<DATA_DIR>/secrets.json`, generated on first run.
 * A production deployment with a real database or real Apicbase credentials must bring its own secrets: losing a
 * generated key with its data directory would make every stored token unreadable.
 */
function resolveSecrets(env: NodeJS.ProcessEnv, dataDir: string): LocalSecrets {
  const missing = SECRET_NAMES.filter((name) => !env[name]);
  if (missing.length === 0) return { AUTH_SECRET: env.AUTH_SECRET!, TOKEN_ENCRYPTION_KEY: env.TOKEN_ENCRYPTION_KEY! };

  if (env.NODE_ENV === "production" && (env.DATABASE_URL || env.AUTH_APICBASE_ID)) {
    fail(
      `${missing.join(" and ")} must be set in production when DATABASE_URL or AUTH_APICBASE_ID is set; ` +
        'refusing to generate them. See README.md, "Running against real Apicbase".',
    );
  }

  const file = path.join(dataDir, "secrets.json");
  let stored: Partial<LocalSecrets> = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, "utf8")) as Partial<LocalSecrets>;
    } catch {
      fail(`${file} is not valid JSON; fix or delete it (deleting it makes stored tokens unreadable).`);
    }
  }
  const generated: Partial<LocalSecrets> = {};
  if (!stored.AUTH_SECRET) generated.AUTH_SECRET = randomBytes(32).toString("base64url");
  if (!stored.TOKEN_ENCRYPTION_KEY) generated.TOKEN_ENCRYPTION_KEY = generateKey();
  if (Object.keys(generated).length > 0) {
    stored = { ...stored, ...generated };
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    log(`generated ${Object.keys(generated).join(" and ")} into ${path.relative(root, file) || file}`);
  }
  return {
    AUTH_SECRET: env.AUTH_SECRET || stored.AUTH_SECRET!,
    TOKEN_ENCRYPTION_KEY: env.TOKEN_ENCRYPTION_KEY || stored.TOKEN_ENCRYPTION_KEY!,
  };
}

const BUILD_INPUTS = ["app", "components", "lib", "public"];
const BUILD_FILES = [
  "next.config.js",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "postcss.config.mjs",
  "instrumentation.ts",
  "proxy.ts",
];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

function buildReason(): string | undefined {
  const buildId = path.join(root, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID");
  if (!existsSync(buildId)) return "no production build yet";
  const builtAt = statSync(buildId).mtimeMs;
  const changed = [...BUILD_INPUTS, ...BUILD_FILES].find((entry) => newestMtime(path.join(root, entry)) > builtAt);
  return changed ? `${changed} changed since the last build` : undefined;
}

const children = new Set<ChildProcess>();
let stopping = false;

/** The portal, which stops first: its refreshes under way still need the emulator to answer. */
let portalChild: ChildProcess | undefined;
/** Longer than the portal's own wait for refreshes under way (APICBASE_TIMEOUT_MS + 5 s, lib/lifecycle/shutdown.ts). */
const KILL_AFTER_MS = 30_000;

/** Stops the portal, then every other child (forwarding `signal`), then exits with `code` once they are gone. */
function shutdown(code: number, why: string, signal: NodeJS.Signals = "SIGTERM") {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  log(why);
  const stopRest = () => {
    for (const child of children) child.kill(signal);
    if (children.size === 0) process.exit();
  };
  if (portalChild && portalChild.exitCode === null && portalChild.signalCode === null) {
    portalChild.once("exit", stopRest);
    portalChild.kill(signal);
  } else {
    stopRest();
  }
  setTimeout(() => {
    for (const child of children) child.kill("SIGKILL");
  }, KILL_AFTER_MS).unref();
}

function spawnChild(command: string, args: string[], env: NodeJS.ProcessEnv, piped: boolean): ChildProcess {
  const child = spawn(command, args, { cwd: root, env, stdio: piped ? ["ignore", "pipe", "pipe"] : "inherit" });
  children.add(child);
  child.on("error", (error) => {
    children.delete(child);
    shutdown(1, `could not run ${path.relative(root, command)}: ${error.message} (did \`npm install\` run?)`);
  });
  child.on("exit", () => {
    children.delete(child);
    if (stopping && children.size === 0) process.exit();
  });
  return child;
}

/** A long-running child: when it dies, everything stops with its exit code. */
function supervise(child: ChildProcess, name: string) {
  child.on("exit", (code, signal) => shutdown(code ?? 1, `${name} exited (${signal ?? `code ${code}`}); stopping`));
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => shutdown(0, "stopping", signal));
}

/** Relays a child's output line by line under a short prefix, so the two servers' logs stay apart. */
function relay(child: ChildProcess, prefix: string, onLine?: (line: string) => void) {
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      out.write(`${prefix} ${line}\n`);
      onLine?.(line);
    });
  }
}

function startEmulator(env: NodeJS.ProcessEnv): Promise<string> {
  const emulator = spawnChild(bin("tsx"), ["emulator/main.ts"], env, true);
  supervise(emulator, "the emulator");
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => shutdown(1, "the emulator did not say it was listening within 30 s; stopping"),
      30_000,
    );
    emulator.on("exit", () => clearTimeout(timer));
    relay(emulator, "[emulator]", (line) => {
      const match = /Apicbase emulator listening on (\S+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return false;
}

async function main() {
  // The same .env files `next start` reads, so both agree on what is configured.
  loadEnvConfig(root, false, { info: () => {}, error: console.error });
  const env = { ...process.env };
  // Production needs its public URL and real Apicbase credentials (or SANDBOX=1): refuse before starting anything.
  const refusals = productionRefusals(env);
  if (refusals.length > 0) fail(`refusing to start:\n${refusals.map((reason) => `  - ${reason}`).join("\n")}`);
  const port = env.PORT || "3000";
  const portalUrl = env.PORTAL_URL || `http://localhost:${port}`;
  const emulatorPort = env.EMULATOR_PORT || "4010";
  const dataDir = path.resolve(root, env.DATA_DIR || ".data");

  const secrets = resolveSecrets(env, dataDir);
  const sandbox = !env.AUTH_APICBASE_ID && !env.APICBASE_BASE_URL;

  let emulatorUrl: string | undefined;
  if (sandbox) {
    log(`starting the Apicbase emulator on port ${emulatorPort}`);
    // The sandbox keeps its grants, tokens, clock and active libraries under DATA_DIR, so connections survive a restart.
    emulatorUrl = await startEmulator({
      ...env,
      EMULATOR_PORT: emulatorPort,
      PORTAL_URL: portalUrl,
      EMULATOR_STATE_DIR: env.EMULATOR_STATE_DIR || path.join(dataDir, "emulator"),
    });
  }

  const reason = buildReason();
  if (reason) {
    log(`building the portal (${reason})`);
    const build = spawnChild(bin("next"), ["build"], env, false);
    const code = await new Promise<number>((resolve) => build.on("exit", (c) => resolve(c ?? 1)));
    if (code !== 0) shutdown(code, `next build failed (code ${code}); stopping`);
  }
  if (stopping) return;

  const portal = spawnChild(
    bin("next"),
    ["start", "-p", port],
    {
      ...env,
      ...secrets,
      PORTAL_URL: portalUrl,
      EMULATOR_PORT: emulatorPort,
      // `next start` runs with NODE_ENV=production; the sandbox it serves was allowed above (not production, or SANDBOX=1).
      ...(isSandboxEnvironment(env) && sandboxAllowed(env) ? { SANDBOX: "1" } : {}),
      // The portal's own handler (lib/lifecycle/shutdown.ts) lets refreshes under way store their tokens before exiting.
      NEXT_MANUAL_SIG_HANDLE: "true",
    },
    true,
  );
  portalChild = portal;
  supervise(portal, "the portal");
  relay(portal, "[portal]");

  if (!(await waitForHttp(`http://127.0.0.1:${port}/`, 60_000))) return;
  log(`portal:   ${portalUrl}`);
  if (emulatorUrl) {
    const demo = SANDBOX_USERS.find((user) => user.role === "partner member") ?? SANDBOX_USERS[0];
    log(`apicbase: local sandbox emulator at ${emulatorUrl}`);
    if (demo) log(`demo login at the emulator: ${demo.email} / ${demo.password} (all of them in README.md)`);
  } else {
    log(`apicbase: ${env.APICBASE_BASE_URL ?? "production"}, client ${env.AUTH_APICBASE_ID ?? "sandbox-partner-app"}`);
  }
  log(
    `data:     ${env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${path.relative(root, dataDir) || dataDir}/`}`,
  );
  log("press Ctrl-C to stop");
}

main().catch((error: unknown) => {
  console.error(error);
  shutdown(1, "failed to start; stopping");
});
