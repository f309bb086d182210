/**
 * Finishing a key rotation: re-encrypts every stored ciphertext (lib/crypto/sealed-columns.ts) under the keyring's
 * current key. Meant to run while portals and workers keep running:
 * - batches of rows, each written by one short statement (no long transaction, no table lock);
 * - each write is a compare-and-swap on the ciphertext it read (and on token_version for connection tokens), so a
 *   refresh, re-authorization or new secret stored meanwhile is never overwritten; such a row is read again;
 * - the version is left unchanged, so a refresh that read the row before still stores its tokens;
 * - resumable: it only ever looks at ciphertexts under another key, so a run that stops is simply run again.
 */
import { and, eq, gt, isNotNull, ne, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { SEALED_COLUMNS, type SealedColumn } from "./sealed-columns";
import {
  decryptSecret,
  encryptSecret,
  SecretDecryptionError,
  type Keyring,
  type SecretDecryptionFailure,
} from "./secrets";

export type ColumnRotation = {
  label: string;
  /** Re-encrypted under the current key by this run. */
  rotated: number;
  /** Rewritten by someone else between read and write, and already under the current key when read again. */
  rewrittenMeanwhile: number;
  /** Could not be decrypted with any configured key: left as they are (see `unreadable`). */
  unreadable: Partial<Record<SecretDecryptionFailure, number>>;
  /** After the run: how many ciphertexts of this column use each key id. */
  byKeyId: Record<string, number>;
};

export type RotationReport = {
  currentKeyId: string;
  columns: ColumnRotation[];
  /** Ciphertexts per key id over every column, after the run. */
  byKeyId: Record<string, number>;
  /** Key ids of the keyring no ciphertext uses any more: removable from TOKEN_ENCRYPTION_KEY (see the README). */
  unusedKeyIds: string[];
};

export type RotationOptions = {
  batchSize?: number;
  columns?: readonly SealedColumn[];
  /** After each batch: for progress lines. */
  onBatch?(label: string, progress: { rotated: number; rewrittenMeanwhile: number }): void;
  /** Tests: runs between reading a row and writing it back. */
  beforeWrite?(label: string, id: string): Promise<void>;
};

/** How often one row is read again after others rewrote it in between. */
const ATTEMPTS_PER_ROW = 5;

const keyIdOf = (column: SealedColumn): SQL<string> => sql<string>`split_part(${column.column}, '.', 2)`;

type Row = { id: string; ciphertext: string; version: number | null };

async function readRows(
  db: Db,
  column: SealedColumn,
  currentKid: string,
  after: string | null,
  limit: number,
): Promise<Row[]> {
  return db
    .select({
      id: sql<string>`${column.id}::text`,
      ciphertext: sql<string>`${column.column}`,
      version: column.version ? sql<number>`${column.version}` : sql<null>`null`,
    })
    .from(column.table)
    .where(
      and(
        isNotNull(column.column),
        ne(keyIdOf(column), currentKid),
        after === null ? undefined : gt(sql`${column.id}::text`, after),
      ),
    )
    .orderBy(sql`${column.id}::text`)
    .limit(limit);
}

async function readRow(db: Db, column: SealedColumn, id: string): Promise<Row | undefined> {
  const [row] = await db
    .select({
      id: sql<string>`${column.id}::text`,
      ciphertext: sql<string>`${column.column}`,
      version: column.version ? sql<number>`${column.version}` : sql<null>`null`,
    })
    .from(column.table)
    .where(eq(sql`${column.id}::text`, id));
  return row;
}

/** The compare-and-swap: written only when the row still holds what was read. */
async function swap(db: Db, column: SealedColumn, row: Row, ciphertext: string): Promise<boolean> {
  const guard = column.version && row.version !== null ? sql` and ${column.version} = ${row.version}` : sql``;
  const { rows } = await db.execute<{ id: string }>(
    sql`update ${column.table} set ${sql.identifier(column.column.name)} = ${ciphertext}
        where ${column.id}::text = ${row.id} and ${column.column} = ${row.ciphertext}${guard} returning 1 as id`,
  );
  return rows.length > 0;
}

type RowOutcome = "rotated" | "rewritten_meanwhile" | SecretDecryptionFailure;

async function rotateRow(
  db: Db,
  keyring: Keyring,
  column: SealedColumn,
  first: Row,
  options: RotationOptions,
): Promise<RowOutcome> {
  let row: Row | undefined = first;
  for (let attempt = 1; attempt <= ATTEMPTS_PER_ROW; attempt++) {
    if (!row || row.ciphertext === null) return "rewritten_meanwhile";
    // Someone stored a new ciphertext meanwhile, already under the current key.
    if (row.ciphertext.split(".")[1] === keyring.current.kid) return "rewritten_meanwhile";
    let plaintext: string;
    try {
      plaintext = decryptSecret(keyring, row.ciphertext, column.aad(row.id));
    } catch (error) {
      if (error instanceof SecretDecryptionError) return error.reason;
      throw error;
    }
    const sealed = encryptSecret(keyring, plaintext, column.aad(row.id));
    await options.beforeWrite?.(column.label, row.id);
    if (await swap(db, column, row, sealed)) return "rotated";
    row = await readRow(db, column, row.id);
  }
  throw new Error(
    `${column.label}: row ${first.id} kept changing while it was being re-encrypted; run the rotation again`,
  );
}

/** Ciphertexts per key id, per column. */
export async function countByKeyId(
  db: Db,
  columns: readonly SealedColumn[] = SEALED_COLUMNS,
): Promise<Map<string, Record<string, number>>> {
  const counts = new Map<string, Record<string, number>>();
  for (const column of columns) {
    const rows = await db
      .select({ kid: keyIdOf(column), count: sql<number>`count(*)::int` })
      .from(column.table)
      .where(isNotNull(column.column))
      .groupBy(keyIdOf(column));
    counts.set(column.label, Object.fromEntries(rows.map((row) => [row.kid, Number(row.count)])));
  }
  return counts;
}

export async function rotateSealedColumns(
  db: Db,
  keyring: Keyring,
  options: RotationOptions = {},
): Promise<RotationReport> {
  const columns = options.columns ?? SEALED_COLUMNS;
  const batchSize = options.batchSize ?? 200;
  const results: ColumnRotation[] = [];
  for (const column of columns) {
    const result: ColumnRotation = {
      label: column.label,
      rotated: 0,
      rewrittenMeanwhile: 0,
      unreadable: {},
      byKeyId: {},
    };
    let after: string | null = null;
    for (;;) {
      const rows = await readRows(db, column, keyring.current.kid, after, batchSize);
      if (rows.length === 0) break;
      for (const row of rows) {
        const outcome = await rotateRow(db, keyring, column, row, options);
        if (outcome === "rotated") result.rotated++;
        else if (outcome === "rewritten_meanwhile") result.rewrittenMeanwhile++;
        else result.unreadable[outcome] = (result.unreadable[outcome] ?? 0) + 1;
      }
      after = rows[rows.length - 1]!.id;
      options.onBatch?.(column.label, { rotated: result.rotated, rewrittenMeanwhile: result.rewrittenMeanwhile });
    }
    results.push(result);
  }
  const counts = await countByKeyId(db, columns);
  const byKeyId: Record<string, number> = {};
  for (const result of results) {
    result.byKeyId = counts.get(result.label) ?? {};
    for (const [kid, count] of Object.entries(result.byKeyId)) byKeyId[kid] = (byKeyId[kid] ?? 0) + count;
  }
  return {
    currentKeyId: keyring.current.kid,
    columns: results,
    byKeyId,
    unusedKeyIds: [...keyring.keys.keys()].filter((kid) => kid !== keyring.current.kid && !byKeyId[kid]),
  };
}
