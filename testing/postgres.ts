/**
 * Where tests and benchmarks find PostgreSQL: TEST_DATABASE_URL (a server we may create databases on), else a local
 * server on 127.0.0.1:5432 as user postgres or root. Each suite works in a throwaway database of its own.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** TEST_DATABASE_URL when set: then a PostgreSQL suite that cannot reach it must fail rather than skip. */
export const explicitPostgresUrl = process.env.TEST_DATABASE_URL || undefined;

export const postgresCandidates: readonly string[] = explicitPostgresUrl
  ? [explicitPostgresUrl]
  : ["postgres://postgres@127.0.0.1:5432/postgres", "postgres://root@127.0.0.1:5432/postgres"];

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

/** The candidates as a message lists them. */
export const triedPostgresUrls = postgresCandidates.map(redactUrl).join(" or ");

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The first reachable candidate (an administrative connection URL), or undefined. */
export async function findPostgres(): Promise<string | undefined> {
  for (const url of postgresCandidates) if (await reachable(url)) return url;
  return undefined;
}

/** A new, empty database on the server at `adminUrl`; `drop()` removes it (with its open connections). */
export async function createPostgresDatabase(
  adminUrl: string,
  prefix = "portal_test",
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}
