import { describe, expect, it } from "vitest";
import { auditCsvFilename, auditCsvLine, csvCell, csvLine } from "./csv";
import type { AuditExportRow } from "./query";
import { parseCsv } from "@/testing/csv";

describe("CSV cells", () => {
  it("leaves plain values alone and quotes per RFC 4180", () => {
    expect(csvCell("Bistro Nord")).toBe("Bistro Nord");
    expect(csvCell(101)).toBe("101");
    expect(csvCell(null)).toBe("");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvLine(["a", "b,c", ""])).toBe('a,"b,c",\r\n');
  });

  it.each([
    ['=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'],
    ["+1+1", "'+1+1"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A2)", "'@SUM(A1:A2)"],
    ["\t=1", "'\t=1"],
    ["\r=1", "'\r=1"],
  ])("defuses a cell that a spreadsheet would read as a formula: %j", (value, cell) => {
    const [[read]] = parseCsv(csvLine([value])) as [[string]];
    expect(read).toBe(cell);
  });

  it("does not touch a value with a formula character further in", () => {
    expect(csvCell("Café =Zuid")).toBe("Café =Zuid");
    expect(csvCell("nora@sandbox.test")).toBe("nora@sandbox.test");
  });
});

describe("audit CSV lines", () => {
  const row: AuditExportRow = {
    id: 7,
    occurredAt: "2026-11-27T14:03:00.000Z",
    actor: { label: "admin@sandbox.test", userId: "11111111-1111-4111-8111-111111111111" },
    organization: { id: "22222222-2222-4222-8222-222222222222", name: '=Acme, "Inc"' },
    connection: { id: "33333333-3333-4333-8333-333333333333", libraryId: 101, libraryName: "@Bistro\nNord" },
    event: "connection_refresh_failed",
    eventLabel: "Refresh failed",
    outcome: "failure",
    apicbaseError: "invalid_grant",
    summary: "",
    detail: { reason: "-cmd" },
  };

  it("writes one record per entry that reads back cell for cell, hostile names defused", () => {
    const [cells] = parseCsv(auditCsvLine(row));
    expect(cells).toEqual([
      "2026-11-27T14:03:00.000Z",
      "admin@sandbox.test",
      "11111111-1111-4111-8111-111111111111",
      '\'=Acme, "Inc"',
      "22222222-2222-4222-8222-222222222222",
      "33333333-3333-4333-8333-333333333333",
      "101",
      "'@Bistro\nNord",
      "connection_refresh_failed",
      "Refresh failed",
      "failure",
      "invalid_grant",
      "",
      '{"reason":"-cmd"}',
    ]);
  });

  it("names the file after the time of export, in UTC", () => {
    expect(auditCsvFilename(new Date("2026-11-27T14:03:59Z"))).toBe("audit-log-20261127-1403.csv");
  });
});
