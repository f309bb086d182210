import { describe, expect, it } from "vitest";
import { formatAbsolute, formatRelative } from "./time";

const now = new Date("2026-11-27T14:03:00Z");
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe("formatRelative", () => {
  it("says just now within 45 seconds either way", () => {
    expect(formatRelative(at(-44), now)).toBe("just now");
    expect(formatRelative(at(30), now)).toBe("just now");
  });

  it("uses the largest whole unit, in the past and the future", () => {
    expect(formatRelative(at(-5 * 60), now)).toBe("5 minutes ago");
    expect(formatRelative(at(-3 * 3600 - 59 * 60), now)).toBe("3 hours ago");
    expect(formatRelative(at(2 * 86400), now)).toBe("in 2 days");
    expect(formatRelative(at(-86400), now)).toBe("yesterday");
    expect(formatRelative(at(-400 * 86400), now)).toBe("last year");
  });
});

describe("formatAbsolute", () => {
  it("shows the time in UTC, whatever the server's time zone", () => {
    expect(formatAbsolute(new Date("2026-11-27T14:03:59Z"))).toBe("27 Nov 2026, 14:03 UTC");
    expect(formatAbsolute(new Date("2026-01-05T00:00:00+02:00"))).toBe("4 Jan 2026, 22:00 UTC");
  });
});
