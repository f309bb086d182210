import { describe, expect, it } from "vitest";
import { formatAbsolute, formatPast, formatRelative } from "./time";

const now = new Date("2026-11-27T14:03:00Z");
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe("formatRelative", () => {
  it("says just now, or in less than a minute, within 45 seconds either way", () => {
    expect(formatRelative(at(-44), now)).toBe("just now");
    expect(formatRelative(at(0), now)).toBe("just now");
    expect(formatRelative(at(30), now)).toBe("in less than a minute");
  });

  it("says just now for a moment that has happened, even a little ahead of the page's clock", () => {
    expect(formatPast(at(0.6), now)).toBe("just now");
    expect(formatPast(at(5), now)).toBe("just now");
    expect(formatPast(at(-5 * 60), now)).toBe("5 minutes ago");
    expect(formatRelative(at(5), now)).toBe("in less than a minute");
  });

  it("uses the largest whole unit, in the past and the future", () => {
    expect(formatRelative(at(-5 * 60), now)).toBe("5 minutes ago");
    expect(formatRelative(at(-3 * 3600 - 59 * 60), now)).toBe("3 hours ago");
    expect(formatRelative(at(2 * 86400), now)).toBe("in 2 days");
    expect(formatRelative(at(-86400), now)).toBe("1 day ago");
    expect(formatRelative(at(-400 * 86400), now)).toBe("1 year ago");
  });

  it("reads one expiry the same way a second either side of seven days: in days, never 'next week'", () => {
    expect(formatRelative(at(7 * 86400), now)).toBe("in 7 days");
    expect(formatRelative(at(7 * 86400 - 1), now)).toBe("in 6 days");
    expect(formatRelative(at(13 * 86400), now)).toBe("in 13 days");
  });
});

describe("formatAbsolute", () => {
  it("shows the time in UTC by default, whatever the server's time zone, with the zone named", () => {
    expect(formatAbsolute(new Date("2026-11-27T14:03:59Z"))).toBe("27 Nov 2026, 14:03 UTC");
    expect(formatAbsolute(new Date("2026-01-05T00:00:00+02:00"))).toBe("4 Jan 2026, 22:00 UTC");
  });

  it("shows the viewer's time zone, named", () => {
    expect(formatAbsolute(new Date("2026-11-27T14:03:59Z"), "Europe/Brussels")).toBe("27 Nov 2026, 15:03 CET");
    expect(formatAbsolute(new Date("2026-07-01T14:03:59Z"), "Europe/Brussels")).toBe("1 Jul 2026, 16:03 CEST");
    expect(formatAbsolute(new Date("2026-11-27T14:03:59Z"), "No/Such_Zone")).toBe("27 Nov 2026, 14:03 UTC");
  });
});
