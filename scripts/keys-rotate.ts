/**
 * `npm run keys:rotate`: finishes a rotation of TOKEN_ENCRYPTION_KEY. With the new key first in the list
 * (`new:<key>,old:<key>`) and every portal and worker already restarted with that list, it re-encrypts every stored
 * ciphertext under the new key (lib/crypto/rotate.ts), prints what it did per table, and says which old keys nothing
 * uses any more. Safe while portals and workers run (on PostgreSQL); run it again after an interruption.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { recordAudit } from "../lib/audit";
import { rotateSealedColumns } from "../lib/crypto/rotate";
import { KeyringError, parseKeyring } from "../lib/crypto/secrets";
import { openDatabase } from "../lib/db/client";
import { readEnv } from "../lib/env";
import { describeError } from "../lib/log";

function fail(message: string): never {
  console.error(`[keys:rotate] ${message}`);
  process.exit(1);
}

/** The environment's key list, else the one `npm start` generated for local runs. */
function keyList(config: ReturnType<typeof readEnv>): string {
  if (config.TOKEN_ENCRYPTION_KEY) return config.TOKEN_ENCRYPTION_KEY;
  const file = path.join(config.DATA_DIR, "secrets.json");
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { TOKEN_ENCRYPTION_KEY?: string }) : {};
  if (stored.TOKEN_ENCRYPTION_KEY) return stored.TOKEN_ENCRYPTION_KEY;
  fail("TOKEN_ENCRYPTION_KEY is not set: set it to the new key list, the new key first (kid:key,oldkid:oldkey).");
}

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

async function main() {
  loadEnvConfig(process.cwd());
  const config = readEnv();
  let keyring;
  try {
    keyring = parseKeyring(keyList(config));
  } catch (error) {
    fail(error instanceof KeyringError ? error.message : "TOKEN_ENCRYPTION_KEY cannot be read");
  }
  const batchSize = Number(flag("batch-size") ?? 200);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    fail("--batch-size must be a whole number from 1 to 10000");

  let database;
  try {
    database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  } catch (error) {
    fail(
      config.DATABASE_URL
        ? `cannot open the database: ${describeError(error)}`
        : `cannot open the embedded database in ${path.resolve(config.DATA_DIR, "pglite")}: stop the portal first ` +
            `(PGlite allows one process at a time). ${describeError(error)}`,
    );
  }
  console.log(
    `[keys:rotate] re-encrypting under key "${keyring.current.kid}" (keys configured: ${[...keyring.keys.keys()].join(", ")})`,
  );
  try {
    const report = await rotateSealedColumns(database.db, keyring, {
      batchSize,
      onBatch: (label, progress) => console.log(`[keys:rotate]   ${label}: ${progress.rotated} re-encrypted so far`),
    });
    for (const column of report.columns) {
      const unreadable = Object.entries(column.unreadable).map(([reason, count]) => `${count} ${reason}`);
      const uses = Object.entries(column.byKeyId).map(([kid, count]) => `${kid}: ${count}`);
      console.log(
        `[keys:rotate] ${column.label}: ${column.rotated} re-encrypted, ${column.rewrittenMeanwhile} rewritten meanwhile` +
          `${unreadable.length ? `, UNREADABLE ${unreadable.join(", ")}` : ""}; now by key: ${uses.join(", ") || "none stored"}`,
      );
    }
    const others = Object.entries(report.byKeyId).filter(([kid]) => kid !== report.currentKeyId);
    await recordAudit(database.db, {
      actor: { system: "keys:rotate" },
      event: "encryption_keys_rotated",
      outcome: others.length === 0 ? "success" : "failure",
      detail: {
        currentKeyId: report.currentKeyId,
        rotated: report.columns.reduce((sum, column) => sum + column.rotated, 0),
        onOtherKeys: others.reduce((sum, [, count]) => sum + count, 0),
        columns: report.columns.map((column) => `${column.label}: ${column.rotated} re-encrypted`),
      },
    });
    if (others.length === 0) {
      const removable = report.unusedKeyIds.length ? `: ${report.unusedKeyIds.join(", ")}` : "";
      console.log(
        `[keys:rotate] done: every stored ciphertext uses "${report.currentKeyId}". The database no longer needs the other keys${removable}. ` +
          "Remove them from TOKEN_ENCRYPTION_KEY once every portal, worker and token-api process runs with the new key " +
          "first (one still encrypting with an old key writes new ciphertexts under it: run this again to check), " +
          "and 15 minutes have passed (connect and import cookies sealed with the old key live that long).",
      );
    } else {
      console.log(
        `[keys:rotate] NOT done: ${others.map(([kid, count]) => `${count} ciphertexts still use "${kid}"`).join(", ")}. ` +
          "Do not remove those keys: what uses them would become unreadable. Run this again " +
          "(after restarting any process that still encrypts with an old key first); unreadable ones need re-authorizing " +
          "the connection or entering the application's secret again.",
      );
      process.exitCode = 2;
    }
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => fail(describeError(error)));
