/**
 * The embedded database (PGlite): started on this thread (on its worker thread: lib/db/pglite-thread.ts), the guard
 * around its queries, its planner statistics and the lock on its folder. lib/db/client.ts opens it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

/** What this module and drizzle use of PGlite: the in-thread instance and the worker's stand-in both offer it. */
export type PgliteClient = Pick<PGlite, "query" | "exec" | "transaction" | "close" | "closed">;

export async function startPglite(folder: string | undefined): Promise<PgliteClient> {
  // pg_trgm: the trigram index behind the dashboard's library name search (migration 0011).
  const client = new PGlite(folder, { extensions: { pg_trgm } });
  try {
    await client.waitReady;
    await client.exec("set time zone 'UTC'");
  } catch (error) {
    if (!client.closed) await client.close().catch(() => {});
    throw error;
  }
  return client;
}

/** How often PGlite's planner statistics are refreshed while the database is open. */
export const PGLITE_ANALYZE_INTERVAL_MS = 30 * 60 * 1000;

/**
 * PGlite runs no autovacuum, so its planner never learns table sizes on its own: without statistics the dashboard's
 * first-page query over 10,000 connections took p95 70 ms instead of 15-27 ms (npm run bench:dashboard). Analyze
 * once at open (milliseconds on a small database) and then every half hour, in the background.
 */
export function keepStatisticsFresh(pglite: PgliteClient): () => void {
  const analyze = () => {
    if (pglite.closed) return;
    pglite.exec("analyze").catch((error: unknown) => {
      if (!pglite.closed)
        console.warn(`PGlite: analyze failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  analyze();
  const timer = setInterval(analyze, PGLITE_ANALYZE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * PGlite is single-process: two instances on one folder corrupt it. A lock file holding our pid turns a second
 * opener (another process, or a second open in this one) into a clear error. A lock whose process is gone, or
 * that carries our own pid without being ours (a restarted container reusing the pid), is taken over.
 */
const lockedFolders: Set<string> = ((globalThis as { __portalPgliteLocks?: Set<string> }).__portalPgliteLocks ??=
  new Set());

export function lockFolder(folder: string): () => void {
  if (lockedFolders.has(folder)) {
    throw new Error(`The PGlite database in ${folder} is already open in this process: share one instance (getDb()).`);
  }
  const lockPath = `${folder}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(readFileSync(lockPath, "utf8").trim(), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The PGlite database in ${folder} is in use by process ${holder}: stop it first, or set DATABASE_URL ` +
            `to use PostgreSQL. (If that process is not the portal, delete ${lockPath}.)`,
        );
      }
      rmSync(lockPath, { force: true });
      continue;
    }
    lockedFolders.add(folder);
    const release = () => {
      process.off("exit", release);
      lockedFolders.delete(folder);
      try {
        if (readFileSync(lockPath, "utf8").trim() === String(process.pid)) rmSync(lockPath, { force: true });
      } catch {
        // Already gone.
      }
    };
    process.on("exit", release);
    return release;
  }
  throw new Error(`Could not lock the PGlite database in ${folder}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const insidePgliteTransaction = new AsyncLocalStorage<{ open: boolean }>();

/**
 * Wraps PGlite's query, exec and transaction:
 * - PGlite queues every query behind an open transaction, so a query on the database (instead of on `tx`) from
 *   inside a transaction callback would wait forever. It fails at once instead, before it joins any queue.
 * - PGlite runs each query synchronously in this thread, and its queue hands the next query on without returning
 *   to the event loop: with many requests waiting, one turn of the loop ran all their queries back to back, and a
 *   connection opened meanwhile waited seconds for its first answer (npm run bench:token-api: up to 6 s at 64
 *   clients, while open connections were answered in 0.5 s). So every query, exec and transaction waits for its
 *   turn in one queue and for one turn of the event loop (setImmediate) before it starts: sockets are read and
 *   answers written between any two of them. (`takeTurns`; not needed when PGlite runs on its worker thread.)
 */
export function guardQueries(client: PgliteClient, { takeTurns }: { takeTurns: boolean }) {
  const transaction = client.transaction.bind(client);
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    if (!takeTurns) return run();
    const mine = last.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(run);
    last = mine.catch(() => undefined);
    return mine;
  };
  const refusal = (what: string) =>
    insidePgliteTransaction.getStore()?.open
      ? new Error(
          `${what} on the database inside db.transaction(): use the callback's \`tx\` (PGlite runs one ` +
            "transaction at a time, so this would wait for itself)",
        )
      : undefined;
  client.transaction = (async (callback) => {
    const refused = refusal("A nested transaction");
    if (refused) throw refused;
    const scope = { open: true };
    try {
      return await insidePgliteTransaction.run(scope, () => inTurn(() => transaction(callback)));
    } finally {
      // Work the callback left running may use the database once the transaction is over.
      scope.open = false;
    }
  }) as PGlite["transaction"];
  client.query = (async (...args: Parameters<PGlite["query"]>) => {
    const refused = refusal("A query");
    if (refused) throw refused;
    return inTurn(() => query(...args));
  }) as PGlite["query"];
  client.exec = (async (...args: Parameters<PGlite["exec"]>) => {
    const refused = refusal("A query");
    if (refused) throw refused;
    return inTurn(() => exec(...args));
  }) as PGlite["exec"];
}
