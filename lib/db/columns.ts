import type { Table } from "drizzle-orm";

type ColumnName<T extends Table> = keyof T["_"]["columns"] & keyof T & string;

/**
 * Columns of a table (or of an alias of one) under their own names, for a select: `pick(apiKeys, "id", "name")` is
 * `{ id: apiKeys.id, name: apiKeys.name }`. A column read under another name is still written out beside it.
 */
export function pick<T extends Table, K extends ColumnName<T>>(table: T, ...names: K[]): Pick<T, K> {
  return Object.fromEntries(names.map((name) => [name, table[name]])) as Pick<T, K>;
}
