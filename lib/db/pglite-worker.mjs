// PGlite on its own thread (worker_threads). lib/db/pglite-thread.ts starts this file for a PGlite database kept in a
// folder and talks to it through `postMessage`, so the database's work (WebAssembly, run synchronously) no longer
// holds up the thread that answers HTTP requests. Plain JavaScript: it is loaded by Node as it is, with no build step.
//
// Requests: { id, op: "query", sql, params, rowMode, raw, tx } | { id, op: "exec", sql, tx } | { id, op: "begin", tx }
//   | { id, op: "commit" | "rollback", tx } | { id, op: "close" }
// Answers:  { id, ok: true, value } | { id, ok: false, error: { name, message, stack, props } }
// `raw` lists the type OIDs whose values stay as PostgreSQL's text (drizzle's parsers for dates and intervals);
// `tx` names a transaction (0: none); the caller names each one once, and "begin" opens it.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

const ROLLBACK = Symbol("rollback");
const asText = (value) => value;

/**
 * An open transaction, by the id its caller named it with.
 * @typedef {{ tx: import("@electric-sql/pglite").Transaction, commit: () => void, rollback: () => void,
 *   settled: Promise<void> }} OpenTransaction
 */
/** @type {Map<number, OpenTransaction>} */
const transactions = new Map();

const reply = (id, value) => parentPort.postMessage({ id, ok: true, value });
const fail = (id, error) => parentPort.postMessage({ id, ok: false, error: describe(error) });

/** An error as data: its name, message and stack, and the fields a DatabaseError carries (code, constraint...). */
function describe(error) {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), props: {} };
  const props = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === undefined || typeof value === "function" || typeof value === "symbol") continue;
    try {
      props[key] = structuredClone(value);
    } catch {
      // Not cloneable: left out.
    }
  }
  return { name: error.name, message: error.message, stack: error.stack, props };
}

function queryOptions(message) {
  const options = { rowMode: message.rowMode === "array" ? "array" : "object" };
  if (message.raw?.length) options.parsers = Object.fromEntries(message.raw.map((oid) => [oid, asText]));
  return options;
}

function session(tx) {
  if (!tx) return db;
  const open = transactions.get(tx);
  if (!open) throw new Error(`Transaction ${tx} is not open.`);
  return open.tx;
}

function begin(id, name) {
  if (transactions.has(name)) throw new Error(`Transaction ${name} is already open.`);
  let begun = false;
  const settled = db.transaction(
    (tx) =>
      new Promise((commit, rollback) => {
        begun = true;
        transactions.set(name, { tx, commit, rollback: () => rollback(ROLLBACK), settled });
        reply(id, name);
      }),
  );
  settled.then(
    () => transactions.delete(name),
    (error) => {
      transactions.delete(name);
      // BEGIN itself failed: the caller still waits for its answer.
      if (!begun) fail(id, error);
    },
  );
}

async function end(id, name, commit) {
  const open = transactions.get(name);
  if (!open) throw new Error(`Transaction ${name} is not open.`);
  if (commit) open.commit();
  else open.rollback();
  try {
    await open.settled;
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  reply(id, null);
}

const { folder } = workerData;
// Opened as startPglite (lib/db/pglite.ts) opens the in-thread database: keep the two in step.
// pg_trgm: the trigram index behind the dashboard's library name search (migration 0011).
const db = new PGlite(folder, { extensions: { pg_trgm } });

parentPort.on("message", async (message) => {
  try {
    switch (message.op) {
      case "query":
        reply(message.id, await session(message.tx).query(message.sql, message.params, queryOptions(message)));
        return;
      case "exec":
        reply(message.id, await session(message.tx).exec(message.sql));
        return;
      case "begin":
        begin(message.id, message.tx);
        return;
      case "commit":
      case "rollback":
        await end(message.id, message.tx, message.op === "commit");
        return;
      case "close":
        if (!db.closed) await db.close();
        reply(message.id, null);
        parentPort.close();
        return;
      default:
        throw new Error(`Unknown request ${String(message.op)}.`);
    }
  } catch (error) {
    fail(message.id, error);
  }
});

try {
  await db.waitReady;
  await db.exec("set time zone 'UTC'");
  parentPort.postMessage({ id: 0, ok: true, value: "ready" });
} catch (error) {
  parentPort.postMessage({ id: 0, ok: false, error: describe(error) });
}
