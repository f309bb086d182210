import { describe, expect, it } from "vitest";
import { auditQuery, parseAuditFilters, parseMoment } from "./filters";

const ID = "0b6f3c2e-8d1a-4c5b-9e7f-1a2b3c4d5e6f";

describe("audit log filters from the URL", () => {
  it("reads every filter, with the end of the range inclusive of the minute typed", () => {
    const { filters, errors } = parseAuditFilters(
      new URLSearchParams({
        connection: ID,
        actor: " admin@ ",
        event: "member_removed",
        outcome: "success",
        from: "2026-11-27T14:00",
        to: "2026-11-27T14:03",
        page: "3",
      }),
    );
    expect(errors).toEqual({});
    expect(filters).toEqual({
      connectionId: ID,
      actor: "admin@",
      event: "member_removed",
      outcome: "success",
      from: new Date("2026-11-27T14:00:00Z"),
      before: new Date("2026-11-27T14:04:00Z"),
      page: 3,
    });
  });

  it("takes a pasted connection address as its id, and a day as the whole day", () => {
    const { filters } = parseAuditFilters({
      connection: `https://portal.example/connections/${ID.toUpperCase()}?history=2`,
      to: "2026-11-27",
    });
    expect(filters.connectionId).toBe(ID);
    expect(filters.before).toEqual(new Date("2026-11-28T00:00:00Z"));
  });

  it("reports nonsense at its field instead of ignoring it", () => {
    const { errors } = parseAuditFilters({
      connection: "' OR 1=1 --",
      actor: "x".repeat(121),
      event: "DROP TABLE",
      outcome: "maybe",
      from: "2026-02-31T10:00",
      to: "yesterday",
    });
    expect(Object.keys(errors).sort()).toEqual(["actor", "connection", "event", "from", "outcome", "to"]);
    expect(parseAuditFilters({ from: "2026-11-27T15:00", to: "2026-11-27T14:00" }).errors).toEqual({
      to: "The end is before the start.",
    });
  });

  it("falls back to the first page for an unusable page number", () => {
    for (const page of ["0", "-1", "abc", "1e99", ""]) expect(parseAuditFilters({ page }).filters.page).toBe(1);
  });

  it("writes short, shareable queries", () => {
    expect(auditQuery({ actor: "admin", event: "", connection: undefined }, 1)).toBe("?actor=admin");
    expect(auditQuery({}, 2)).toBe("?page=2");
    expect(auditQuery({})).toBe("");
  });

  it("parses days, minutes and seconds as UTC ranges", () => {
    expect(parseMoment("2026-11-27T14:03:05")).toEqual({
      start: new Date("2026-11-27T14:03:05Z"),
      end: new Date("2026-11-27T14:03:06Z"),
    });
    expect(parseMoment("2026-13-01")).toBeNull();
    expect(parseMoment("2026-11-27T25:00")).toBeNull();
  });
});
