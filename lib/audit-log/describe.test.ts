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

  it("words a connection event as the connection's History does (one catalog, lib/messages/history.ts)", () => {
    expect(summarizeDetail("connection_disconnected", { revocation: "unsupported", reason: "customer left" })).toBe(
      "Apicbase offers no revocation: tokens deleted on the portal · reason: customer left",
    );
    expect(summarizeDetail("connection_refresh_failed", { trigger: "api", outcome: "retry" })).toBe(
      "asked for by the token API · the portal retries",
    );
    // A verification that could not reach Apicbase changed nothing; the error itself has the log's own column.
    expect(summarizeDetail("connection_verified", {}, { outcome: "failure", apicbaseError: "server_error" })).toBe(
      "Apicbase could not be asked; nothing changed",
    );
    // An event the catalog does not describe still shows its harmless fields.
    expect(summarizeDetail("connection_future_event", { kind: "x", accessToken: "a" })).toBe("kind: x");
  });
});
