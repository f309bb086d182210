import { count, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { DbExecutor } from "./client";

/**
 * A list shown a page at a time: how many rows of `table` match `where`, how many pages of `pageSize` that makes
 * (at least one), and the `requested` page kept within them.
 */
export async function countPages(
  db: DbExecutor,
  table: PgTable,
  where: SQL | undefined,
  pageSize: number,
  requested: number,
): Promise<{ total: number; pageCount: number; page: number }> {
  const [counted] = await db.select({ n: count() }).from(table).where(where);
  const total = counted?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  return { total, pageCount, page: Math.min(requested, pageCount) };
}
