import { describe, expect, it } from "vitest";
import { eventLabel, eventSummary } from "./history";
import type { HistoryEventView } from "./view";

const entry = (event: string, detail: Record<string, unknown> | null, extra: Partial<HistoryEventView> = {}): HistoryEventView => ({
  id: 1,
  occurredAt: "2026-11-27T14:03:00.000Z",
  actor: "partner@sandbox.test",
  event,
  outcome: "success",
  apicbaseError: null,
  detail,
  ...extra,
});

describe("connection history", () => {
  it("names each event in words", () => {
    expect(eventLabel("connection_reauthorized")).toBe("Re-authorized");
    expect(eventLabel("connection_something_new")).toBe("something new");
  });

  it("summarizes the known details and the Apicbase error", () => {
    expect(eventSummary(entry("connection_connected", { approvedBy: "nora@sandbox.test", scopes: ["accounts", "library"] }))).toBe(
      "approved by nora@sandbox.test · scopes accounts, library",
    );
    expect(eventSummary(entry("connection_refreshed", { expiresAt: "2026-12-04T14:03:00.000Z" }))).toBe(
      "new access token valid until 4 Dec 2026, 14:03 UTC",
    );
    expect(eventSummary(entry("connection_verified", { active: false }, { outcome: "failure", apicbaseError: "inactive_token" }))).toBe(
      "Apicbase: not active · Apicbase error: inactive_token",
    );
    expect(eventSummary(entry("connection_disconnected", { revocation: "unsupported", reason: "customer left" }))).toBe(
      "Apicbase offers no revocation: tokens deleted on the portal · customer left",
    );
  });

  it("shows nothing it does not know, whatever a detail holds", () => {
    expect(eventSummary(entry("connection_refreshed", { accessToken: "abc", expiresAt: "not a date" }))).toBe("");
    expect(eventSummary(entry("some_future_event", { secret: "x" }))).toBe("");
  });
});
