import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvCell } from "@/lib/audit-log/csv";
import type { Database } from "@/lib/db/client";
import { connections, type NewConnection } from "@/lib/db/schema";
import { parseCsv } from "@/testing/csv";
import { CONNECTIONS_CSV_COLUMNS, EXPORT_BATCH, connectionsCsv, connectionsCsvFilename } from "./export";
import type { ConnectionFilters } from "./view";
import { seededMemoryDatabase } from "@/testing/memory-db";

const now = new Date("2026-11-27T12:00:00Z");
const days = (n: number) => new Date(now.getTime() + n * 24 * 3600_000);

let database: Database;
const orgA = randomUUID();
const orgB = randomUUID();
const appId = randomUUID();

const filters = (overrides: Partial<ConnectionFilters> = {}): ConnectionFilters => ({
  q: "",
  status: null,
  ...overrides,
});

async function exportText(organizationId: string | null, f: ConnectionFilters): Promise<string> {
  let text = "";
  for await (const piece of connectionsCsv(database.db, organizationId, f, now)) text += piece;
  return text;
}

const dangerous = ['=HYPERLINK("http://evil")', "+1+2", "-3", "@SUM(A1)", "\tTab", "\rReturn"];

beforeAll(async () => {
  database = await seededMemoryDatabase({
    organizations: [
      { id: orgA, name: "Org A" },
      { id: orgB, name: "=Org B" },
    ],
    applications: [{ id: appId, name: "Partner app", clientId: "partner-app", source: "environment" }],
  });
  const { db } = database;
  const rows: NewConnection[] = [];
  // More than one batch in org A, so the keyset cursor is exercised; names that collide case-insensitively too.
  for (let i = 0; i < EXPORT_BATCH + 150; i++) {
    rows.push({
      organizationId: orgA,
      applicationId: appId,
      libraryId: 10_000 + i,
      libraryName: i % 3 === 0 ? "Same Name" : `Library ${String(i).padStart(5, "0")}`,
      status: i % 10 === 0 ? "needs_reauthorization" : "active",
      scopes: ["accounts", "library"],
      accessTokenExpiresAt: days(3),
      accessTokenCiphertext: "v1.secret-access-ciphertext",
      refreshTokenCiphertext: "v1.secret-refresh-ciphertext",
      tokenVersion: 1,
    });
  }
  dangerous.forEach((name, i) =>
    rows.push({
      organizationId: orgB,
      applicationId: appId,
      libraryId: 500 + i,
      libraryName: name,
      approvedByEmail: i === 0 ? "-owner@example.test" : "owner@example.test",
      approvedByName: 'Name, with "quotes"',
      status: "active",
      scopes: ["accounts"],
      accessTokenExpiresAt: days(0.5),
      tokenVersion: 1,
    }),
  );
  for (let start = 0; start < rows.length; start += 500)
    await db.insert(connections).values(rows.slice(start, start + 500));
});

afterAll(async () => {
  await database?.close();
});

describe("the connections CSV", () => {
  it("has every matching connection once, in the list's order, across batches", async () => {
    const rows = parseCsv(await exportText(orgA, filters()));
    expect(rows[0]).toEqual([...CONNECTIONS_CSV_COLUMNS]);
    const body = rows.slice(1);
    expect(body).toHaveLength(EXPORT_BATCH + 150);
    expect(new Set(body.map((row) => row[0])).size).toBe(EXPORT_BATCH + 150);
    const keys = body.map((row) => [row[4]!.toLowerCase(), Number(row[3])] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    expect(keys).toEqual(sorted);
    // Organization B's connections are not in organization A's file.
    expect(body.every((row) => row[2] === orgA)).toBe(true);
  });

  it("applies the list's filters", async () => {
    const rows = parseCsv(await exportText(orgA, filters({ status: "needs_reauthorization" }))).slice(1);
    expect(rows).toHaveLength(Math.ceil((EXPORT_BATCH + 150) / 10));
    expect(new Set(rows.map((row) => row[5]))).toEqual(new Set(["Needs re-authorization"]));
    expect(new Set(rows.map((row) => row[6]))).toEqual(new Set(["needs_reauthorization"]));
    const searched = parseCsv(await exportText(orgA, filters({ q: "same name" }))).slice(1);
    expect(searched).toHaveLength(Math.ceil((EXPORT_BATCH + 150) / 3));
  });

  it("never contains a token ciphertext", async () => {
    const text = await exportText(null, filters());
    expect(text).not.toContain("secret-access-ciphertext");
    expect(text).not.toContain("secret-refresh-ciphertext");
  });

  it("defuses spreadsheet formulas and quotes what needs quoting", async () => {
    const text = await exportText(orgB, filters());
    const rows = parseCsv(text).slice(1);
    expect(rows.map((row) => row[4]).sort()).toEqual(dangerous.map((name) => `'${name}`).sort());
    expect(new Set(rows.map((row) => row[1]))).toEqual(new Set(["'=Org B"]));
    expect(rows.map((row) => row[8])).toContain("'-owner@example.test");
    expect(new Set(rows.map((row) => row[7]))).toEqual(new Set(['Name, with "quotes"']));
    expect(new Set(rows.map((row) => row[5]))).toEqual(new Set(["Expiring soon"]));
    // No cell of the file starts a formula.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("escapes each dangerous first character, and nothing else", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+31 20")).toBe("'+31 20");
    expect(csvCell("-")).toBe("'-");
    expect(csvCell("@me")).toBe("'@me");
    expect(csvCell("\tx")).toBe("'\tx");
    expect(csvCell("\rx")).toBe('"\'\rx"');
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvCell(-5)).toBe("'-5");
    expect(csvCell("x,y")).toBe('"x,y"');
  });

  it("lists every organization's connections for the admin export", async () => {
    const rows = parseCsv(await exportText(null, filters())).slice(1);
    expect(rows).toHaveLength(EXPORT_BATCH + 150 + dangerous.length);
  });

  it("names the file after the moment, in UTC", () => {
    expect(connectionsCsvFilename(new Date("2026-11-27T14:03:59Z"))).toBe("connections-20261127-1403.csv");
  });
});
