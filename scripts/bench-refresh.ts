/**
 * `npm run bench:refresh`: the background refresher against the emulator, with every token call taking a given
 * latency (the emulator's "slow" fault). Prints refreshes per second, the total time next to the ideal
 * (connections × latency ÷ concurrency), refresh grants per connection (must be 1) and peak memory.
 *
 *   npm run bench:refresh -- --connections 10000 --latency-ms 50 --concurrency 16
 *
 * The database is PostgreSQL when DATABASE_URL is set, else an in-memory PGlite; the emulator runs in a process of
 * its own. No budget applies here: the point is the engine's own throughput (in production the budget keeps it
 * under Apicbase's rate limit).
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { eq, sql } from "drizzle-orm";
import { emulatorSettings, type ApicbaseSettings } from "../lib/apicbase/config";
import { ensureEnvironmentApplication } from "../lib/connections/applications";
import { generateKey, parseKeyring } from "../lib/crypto/secrets";
import { MEMORY, openDatabase } from "../lib/db/client";
import { connections, organizations } from "../lib/db/schema";
import { Refresher } from "../lib/lifecycle/refresher";
import { cachedClients } from "../lib/lifecycle/runtime";
import { peakMemory, seedDueConnections, spawnEmulator } from "./bench-support";

const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: "10000" },
    "latency-ms": { type: "string", default: "50" },
    concurrency: { type: "string", default: "16" },
  },
});
const count = Number(args.connections);
const latencyMs = Number(args["latency-ms"]);
const concurrency = Number(args.concurrency);

async function main() {
  const emulator = await spawnEmulator();
  try {
    await run(emulator);
  } finally {
    await emulator.stop();
  }
}

async function run(emulator: Awaited<ReturnType<typeof spawnEmulator>>) {
  const peakRss = peakMemory();
  const database = await openDatabase(
    process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, poolMax: concurrency + 2 } : { dataDir: MEMORY },
  );
  const { db } = database;
  const keyring = parseKeyring(generateKey());
  const settings: ApicbaseSettings = emulatorSettings(emulator.url, 10_000 + latencyMs);
  const application = await ensureEnvironmentApplication(db, settings);
  const [organization] = await db
    .insert(organizations)
    .values({ name: `Bench ${randomUUID()}` })
    .returning();

  console.log(`[bench] ${database.kind}: minting and storing ${count} connections, all due now…`);
  await seedDueConnections({
    db,
    keyring,
    control: emulator.control,
    organizationId: organization!.id,
    applicationId: application.id,
    count,
    firstLibraryId: 100_000,
    libraryName: (n) => `Library ${n}`,
    now: new Date(),
  });

  await emulator.control.fault({ endpoint: "token", mode: "slow", delay_ms: latencyMs, count: count * 2 });
  await emulator.control.resetStats();
  const clock = () => new Date();
  const refresher = new Refresher({
    ctx: {
      db,
      keyring,
      clientFor: cachedClients(db, keyring, settings, clock),
      now: clock,
      actor: { system: "bench" },
      leaseOwner: "bench",
    },
    budget: { perMinute: 1_000_000_000, burst: count },
    concurrency,
  });

  console.log(`[bench] refreshing: ${latencyMs} ms per token call, ${concurrency} at a time…`);
  const started = performance.now();
  let refreshed = 0;
  let failed = 0;
  while (refreshed + failed < count) {
    const report = await refresher.tick();
    refreshed += report.refreshed;
    failed += report.failed;
    if (report.claimed === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;

  const stats = await emulator.control.stats();
  const [versions] = await db
    .select({
      least: sql<number>`min(${connections.tokenVersion})`,
      most: sql<number>`max(${connections.tokenVersion})`,
    })
    .from(connections)
    .where(eq(connections.organizationId, organization!.id));
  const ideal = (count * latencyMs) / 1000 / concurrency;
  console.log("");
  console.log(`connections:               ${count} (${database.kind})`);
  console.log(`token call latency:        ${latencyMs} ms, concurrency ${concurrency}`);
  console.log(`refreshed / failed:        ${refreshed} / ${failed}`);
  console.log(
    `total time:                ${seconds.toFixed(1)} s (ideal ${ideal.toFixed(1)} s: ${((ideal / seconds) * 100).toFixed(0)} % of it)`,
  );
  console.log(
    `refreshes per second:      ${(refreshed / seconds).toFixed(1)} (ideal ${(concurrency / (latencyMs / 1000)).toFixed(1)})`,
  );
  console.log(
    `refresh grants/connection: ${(stats.token_grants.refresh_token.ok / count).toFixed(3)} (token versions ${Number(versions!.least) - 1}..${Number(versions!.most) - 1} refreshes each; invalid_grant ${stats.token_grants.refresh_token.error})`,
  );
  console.log(
    `peak memory (RSS):         ${(peakRss() / 1024 / 1024).toFixed(0)} MiB (this process; the emulator runs in its own)`,
  );

  await database.close();
  if (failed > 0 || stats.token_grants.refresh_token.ok !== count) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
