import { describe, expect, it } from "vitest";
import { formatCountdown, formatDuration } from "./duration";

describe("formatDuration", () => {
  it("shows the largest units down to seconds, padded after the first", () => {
    expect(formatDuration(7 * 86_400_000)).toBe("7d 00h 00m 00s");
    expect(formatDuration(6 * 86_400_000 + 23 * 3_600_000 + 59 * 60_000 + 58_000)).toBe("6d 23h 59m 58s");
    expect(formatDuration(3_600_000 + 5_000)).toBe("1h 00m 05s");
    expect(formatDuration(59 * 60_000 + 2_000)).toBe("59m 02s");
    expect(formatDuration(8_999)).toBe("8s");
    expect(formatDuration(0)).toBe("0s");
  });
});

describe("formatCountdown", () => {
  const now = new Date("2026-11-27T14:03:00Z");
  it("counts down to the expiry, then up since it", () => {
    expect(formatCountdown(new Date(now.getTime() + 90_000), now)).toBe("1m 30s left");
    expect(formatCountdown(now, now)).toBe("expired 0s ago");
    expect(formatCountdown(new Date(now.getTime() - 302_000), now)).toBe("expired 5m 02s ago");
  });
});
