/** `npm run emulator`: the emulator as a process, configured through the environment (see README.md). */
import { demoSeed, loadSeed, type Seed } from "./seed";
import { createEmulator } from "./server";
import type { EmulatorSettings } from "./state";

class ConfigError extends Error {}

function integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function flag(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (["1", "true", "on", "yes"].includes(raw)) return true;
  if (["0", "false", "off", "no"].includes(raw)) return false;
  throw new ConfigError(`${name} must be on/off (true/false, 1/0), got "${raw}"`);
}

async function main(): Promise<void> {
  const port = integer("EMULATOR_PORT", 4010, 0, 65_535);
  const host = process.env.EMULATOR_HOST?.trim() || "127.0.0.1";
  const settings: EmulatorSettings = {
    code_lifetime_seconds: integer("EMULATOR_CODE_LIFETIME", 60, 0),
    access_token_lifetime_seconds: integer("EMULATOR_ACCESS_TOKEN_LIFETIME", 604_800, 0),
    rotate_refresh_tokens: flag("EMULATOR_ROTATE_REFRESH_TOKENS", true),
    rate_limit_per_minute: integer("EMULATOR_RATE_LIMIT", 100, 0),
    revocation_endpoint: flag("EMULATOR_REVOCATION", true),
  };
  const seedPath = process.env.EMULATOR_SEED?.trim();
  const seed: Seed = seedPath
    ? loadSeed(seedPath)
    : demoSeed(process.env.PORTAL_URL?.trim() || "http://localhost:3000");

  const stateDir = process.env.EMULATOR_STATE_DIR?.trim() || undefined;
  const emulator = createEmulator({ seed, settings, log: flag("EMULATOR_LOG", false), stateDir });
  if (emulator.persistence) {
    const { loaded, persister } = emulator.persistence;
    if (loaded.kind === "restored") {
      console.log(
        `Apicbase emulator: state restored from ${persister.file} (saved ${loaded.savedAt}, ${loaded.grants} refresh tokens)`,
      );
    } else if (loaded.kind === "unreadable") {
      console.warn(
        `Apicbase emulator: ${persister.file} was unreadable (${loaded.reason}); moved to ${loaded.movedTo}, starting from the seed`,
      );
    } else {
      console.log(
        `Apicbase emulator: no saved state in ${persister.dir}, starting from the seed; state is saved there`,
      );
    }
    // Last resort for an exit that skips close() (an uncaught error): what changed since the last write.
    process.once("exit", () => persister.flush());
  }
  const url = await emulator.listen(port, host);
  console.log(`Apicbase emulator listening on ${url}`);

  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  // Seed and configuration errors name the bad field; anything else (e.g. port in use) is shown as it is.
  console.error(`Apicbase emulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
