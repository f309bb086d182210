import { describe, expect, it } from "vitest";
import type { HistoryEventView } from "@/lib/connections/view";
import { formatAbsolute } from "@/lib/time";
import { auditEventLabel, handoutSummary, historyLabel, historySummary } from "./history";

const entry = (
  event: string,
  detail: Record<string, unknown> | null,
  extra: Partial<HistoryEventView> = {},
): HistoryEventView => ({
  id: 1,
  occurredAt: "2026-11-27T14:03:00.000Z",
  actor: "partner@sandbox.test",
  event,
  outcome: "success",
  apicbaseError: null,
  detail,
  ...extra,
});
const utc = (date: Date) => formatAbsolute(date);

describe("connection history", () => {
  it("names each event in words, with the portal's one word for ending a connection", () => {
    expect(historyLabel(entry("connection_reauthorized", null))).toBe("Re-authorized");
    expect(historyLabel(entry("connection_disconnected", null))).toBe("Revoked");
    expect(auditEventLabel("connection_disconnected")).toBe("Connection revoked");
    expect(auditEventLabel("api_key_created")).toBe("API key created");
    expect(historyLabel(entry("connection_something_new", null))).toBe("something new");
  });

  it("never calls a failed verification 'Verified'", () => {
    expect(historyLabel(entry("connection_verified", { active: true }))).toBe("Verified: active");
    expect(historyLabel(entry("connection_verified", { active: true, activeLibraryId: 102, drift: true }))).toBe(
      "Verified: reaches another library",
    );
    expect(
      historyLabel(
        entry("connection_verified", { active: false }, { outcome: "failure", apicbaseError: "inactive_token" }),
      ),
    ).toBe("Verified: not active");
    expect(
      historyLabel(entry("connection_verified", null, { outcome: "failure", apicbaseError: "server_error" })),
    ).toBe("Verification failed");
    expect(
      historySummary(entry("connection_verified", null, { outcome: "failure", apicbaseError: "server_error" }), utc),
    ).toBe("Apicbase could not be asked; nothing changed · Apicbase error: server_error");
  });

  it("summarizes the known details and the Apicbase error, times in the zone asked for", () => {
    expect(
      historySummary(
        entry("connection_connected", { approvedBy: "nora@sandbox.test", scopes: ["accounts", "library"] }),
        utc,
      ),
    ).toBe("approved by nora@sandbox.test · scopes accounts, library");
    expect(historySummary(entry("connection_refreshed", { expiresAt: "2026-12-04T14:03:00.000Z" }), utc)).toBe(
      "new access token valid until 4 Dec 2026, 14:03 UTC",
    );
    expect(
      historySummary(entry("connection_refreshed", { expiresAt: "2026-12-04T14:03:00.000Z" }), (date) =>
        formatAbsolute(date, "Europe/Brussels"),
      ),
    ).toBe("new access token valid until 4 Dec 2026, 15:03 CET");
    expect(
      historySummary(
        entry("connection_verified", { active: false }, { outcome: "failure", apicbaseError: "inactive_token" }),
        utc,
      ),
    ).toBe("Apicbase: not active · Apicbase error: inactive_token");
    expect(
      historySummary(
        entry(
          "connection_refresh_failed",
          { trigger: "manual", outcome: "retry" },
          { outcome: "failure", apicbaseError: "server_error" },
        ),
        utc,
      ),
    ).toBe("asked for on the portal · the portal retries · Apicbase error: server_error");
    expect(
      historySummary(entry("connection_disconnected", { revocation: "unsupported", reason: "customer left" }), utc),
    ).toBe("Apicbase offers no revocation: tokens deleted on the portal · reason: customer left");
  });

  it("shows nothing it does not know, whatever a detail holds", () => {
    expect(historySummary(entry("connection_refreshed", { accessToken: "abc", expiresAt: "not a date" }), utc)).toBe(
      "",
    );
    expect(historySummary(entry("some_future_event", { secret: "x" }), utc)).toBe("");
  });

  it("sums up a key's token hand-outs in one line", () => {
    expect(handoutSummary({ count: 40, key: "key 'billing-sync'", first: "2 hours ago", last: "just now" })).toBe(
      "Access token handed out 40 times to key 'billing-sync' between 2 hours ago and just now",
    );
    expect(handoutSummary({ count: 1, key: "key 'billing-sync'", first: "just now", last: "just now" })).toBe(
      "Access token handed out once to key 'billing-sync', just now",
    );
  });
});
