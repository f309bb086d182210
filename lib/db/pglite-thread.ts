/**
 * PGlite on its own worker thread (lib/db/pglite-worker.mjs), behind a stand-in that offers what drizzle uses.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { PGlite, ParserOptions, Results, Transaction } from "@electric-sql/pglite";
import type { PgliteClient } from "./pglite";

type WorkerAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string; props: object } };

/** An error that crossed from the worker: the same message, name and fields (code, constraint...) as there. */
function reviveError({ name, message, stack, props }: Extract<WorkerAnswer, { ok: false }>["error"]): Error {
  const error = Object.assign(new Error(message), props);
  error.name = name;
  if (stack) error.stack = `${stack}\n    (in the PGlite worker thread)`;
  return error;
}

/** The worker thread behind a PGlite stand-in, for tests that stop it as a crash would. */
export const PGLITE_WORKER = Symbol.for("portal.pgliteWorker");

/** A worker thread that stops this many times within a minute is not started again. */
const PGLITE_WORKER_RESTARTS = 3;

/**
 * PGlite on its own thread (lib/db/pglite-worker.mjs): PGlite runs each query synchronously, so on this thread the
 * database's work (about a third of the CPU under the token API's load) held up every request waiting to be read or
 * answered. The stand-in offers what drizzle uses (query, exec, transaction) by messages. Drizzle's parsers keep
 * dates and intervals as text; functions cannot cross threads, so the worker is told which types to keep as text.
 *
 * A worker that stops on its own (a crash in PGlite) fails the queries it was running and rolls back its open
 * transactions (their later queries fail: a transaction is named once, never reused), and a new worker opens the same
 * folder, as PostgreSQL recovers after a crash; committed work is kept. After PGLITE_WORKER_RESTARTS stops within a
 * minute, every request fails instead, naming the cause.
 */
export async function startPgliteWorker(folder: string | undefined): Promise<PgliteClient> {
  type Waiting = { resolve(value: unknown): void; reject(error: Error): void };
  let worker: Worker;
  let pending = new Map<number, Waiting>();
  let lastId = 0;
  let lastTransaction = 0;
  let closed = false;
  let stopped: Error | undefined;
  let stops: number[] = [];
  let running = false;

  const launch = (): Promise<unknown> => {
    const current = new Worker(path.join(process.cwd(), "lib", "db", "pglite-worker.mjs"), { workerData: { folder } });
    const mine = new Map<number, Waiting>();
    worker = current;
    pending = mine;
    running = true;
    // Referenced only while an answer is awaited: an idle database must not keep the process alive (as in-thread
    // PGlite does not), and a pending query must (or the process could exit while awaiting it).
    current.unref();
    current.on("message", (answer: WorkerAnswer) => {
      const waiting = mine.get(answer.id);
      if (!waiting) return;
      mine.delete(answer.id);
      if (mine.size === 0) current.unref();
      if (answer.ok) waiting.resolve(answer.value);
      else waiting.reject(reviveError(answer.error));
    });
    const lost = (error: Error) => {
      if (current === worker) running = false;
      for (const waiting of mine.values()) waiting.reject(error);
      mine.clear();
      if (current !== worker || closed) return;
      const now = Date.now();
      stops = [...stops.filter((at) => now - at < 60_000), now];
      if (stops.length >= PGLITE_WORKER_RESTARTS) {
        stopped = error;
        closed = true;
        console.error(
          `PGlite: ${error.message} It stopped ${stops.length} times within a minute: ` +
            "every database request now fails.",
        );
        return;
      }
      console.error(`PGlite: ${error.message} Its queries under way failed; starting it again on the same folder.`);
      launch().catch(() => {});
    };
    current.on("error", (error) =>
      lost(new Error(`The PGlite worker thread failed: ${error.message}`, { cause: error })),
    );
    current.on("exit", (code) => lost(new Error(`The PGlite worker thread stopped (exit code ${code}).`)));
    return new Promise((resolve, reject) => {
      mine.set(0, { resolve, reject });
      current.ref();
    });
  };

  const send = <T>(request: Record<string, unknown>): Promise<T> => {
    const id = ++lastId;
    const current = worker;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      current.ref();
      current.postMessage({ ...request, id });
    });
  };
  // As in-thread PGlite: a closed database refuses at once (a message to a terminated worker would never be answered).
  const call = <T>(request: Record<string, unknown>): Promise<T> => {
    if (stopped) return Promise.reject(stopped);
    if (closed) return Promise.reject(new Error("PGlite is closed"));
    return send(request);
  };
  const textTypes = (parsers: ParserOptions | undefined) =>
    Object.entries(parsers ?? {}).map(([oid, parse]) => {
      if (parse("2026-01-01", Number(oid)) !== "2026-01-01")
        throw new Error("Only parsers that keep a value as text can be used with the PGlite worker.");
      return Number(oid);
    });
  const query =
    (tx: number) =>
    <T>(sql: string, params?: unknown[], options?: Parameters<PGlite["query"]>[2]): Promise<Results<T>> =>
      call({ op: "query", sql, params, rowMode: options?.rowMode, raw: textTypes(options?.parsers), tx });
  const exec = (tx: number) => (sql: string) => call<Results[]>({ op: "exec", sql, tx });

  const client = {
    query: query(0),
    exec: exec(0),
    async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
      const name = ++lastTransaction;
      await call({ op: "begin", tx: name });
      let open = true;
      const tx = {
        query: query(name),
        exec: exec(name),
        async rollback() {
          throw new Error("Roll back by throwing from the transaction callback.");
        },
        get closed() {
          return !open;
        },
      } as unknown as Transaction;
      let result: T;
      try {
        result = await callback(tx);
      } catch (error) {
        open = false;
        await call({ op: "rollback", tx: name }).catch(() => {});
        throw error;
      }
      open = false;
      await call({ op: "commit", tx: name });
      return result;
    },
    async close() {
      closed = true;
      const current = worker;
      if (!running) return;
      const exited = new Promise((resolve) => current.once("exit", resolve));
      await send({ op: "close" }).catch(() => {});
      await current.terminate();
      await exited;
    },
    get closed() {
      return closed;
    },
    get [PGLITE_WORKER]() {
      return worker;
    },
  } as PgliteClient;
  try {
    await launch();
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
  return client;
}
