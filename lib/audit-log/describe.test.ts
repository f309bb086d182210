import { describe, expect, it } from "vitest";
import { summarizeDetail } from "./describe";

describe("summarizeDetail", () => {
  it("writes stored moments as the log's other times, not as ISO 8601", () => {
    expect(
      summarizeDetail("authorization_link_created", { kind: "reauthorize", expiresAt: "2026-12-06T12:27:13.859Z" }),
    ).toBe("kind: reauthorize · expires at: 6 Dec 2026, 12:27 UTC");
    expect(summarizeDetail("connection_refreshed", { expiresAt: "2026-12-06T12:27:13.859Z" })).toBe(
      "new access token valid until 6 Dec 2026, 12:27 UTC",
    );
  });

  it("never shows a field whose name suggests a credential", () => {
    const line = summarizeDetail("authorization_link_created", {
      kind: "connect",
      tokenHash: "abc",
      clientSecret: "s",
    });
    expect(line).toBe("kind: connect");
  });
});
