import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAILED_API_KEY_RULE } from "@/lib/attempts/counters";
import { attemptCounters } from "@/lib/db/schema";
import type { LifecycleFixture } from "@/testing/lifecycle-fixtures";
import { useLifecycleFixture } from "@/testing/lifecycle-suite";
import { accessTokenResponse } from "./api";
import type { TokenApiContext } from "./types";
import { FailedKeyGuard } from "./failed-keys";
import { createTokenApiServer } from "./node-server";

describe("failed API key attempts per address", () => {
  let fixture: LifecycleFixture;
  let ctx: TokenApiContext;
  let apiKey: string;
  let connectionId: string;
  const LIMIT = FAILED_API_KEY_RULE.limit;

  useLifecycleFixture((created) => (fixture = created), 180_000);
  afterEach(() => ctx?.handouts.flush());
  beforeEach(async () => {
    await fixture.db.delete(attemptCounters);
    apiKey = await fixture.apiKey({ name: "Job" });
    connectionId = await fixture.connection();
    ctx = fixture.tokenApiContext({ leaseOwner: "api-test", perMinute: 100_000 });
  });

  const request = (key: string) =>
    accessTokenResponse(
      ctx,
      new Request(`http://portal.test/api/v1/connections/${connectionId}/access-token`, {
        headers: { Authorization: `Bearer ${key}` },
      }),
      connectionId,
    );
  const wrongKey = `apb_${"w".repeat(43)}`;

  it("answers 429 with Retry-After after the limit, even to a valid key, in every process, and not to other addresses", async () => {
    const processA = new FailedKeyGuard(fixture.db, fixture.clock.now);
    for (let n = 0; n < LIMIT; n++)
      expect((await processA.run("198.51.100.1", () => request(wrongKey))).status).toBe(401);
    const refused = await processA.run("198.51.100.1", () => request(wrongKey));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(FAILED_API_KEY_RULE.windowSeconds);
    expect(await refused.json()).toMatchObject({
      error: "rate_limited",
      message: expect.stringMatching(/Too many requests with a missing, unknown or revoked API key/),
    });

    // Another process (its own guard, the same database) refuses the address too, before looking at the key.
    const processB = new FailedKeyGuard(fixture.db, fixture.clock.now);
    let handled = false;
    const blocked = await processB.run("198.51.100.1", () => ((handled = true), request(apiKey)));
    expect(blocked.status).toBe(429);
    expect(handled).toBe(false);
    // Another address is served.
    expect((await processB.run("198.51.100.2", () => request(apiKey))).status).toBe(200);
  });

  it("does not count successful requests", async () => {
    const guard = new FailedKeyGuard(fixture.db, fixture.clock.now);
    for (let n = 0; n < LIMIT + 5; n++)
      expect((await guard.run("198.51.100.3", () => request(apiKey))).status).toBe(200);
  });

  it("npm run token-api: counts per TCP peer, ignoring a forged X-Forwarded-For", async () => {
    const server = createTokenApiServer(ctx);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/connections`;
    try {
      const statuses: number[] = [];
      for (let n = 0; n <= LIMIT; n++) {
        const response = await fetch(`${base}/${connectionId}/access-token`, {
          headers: { Authorization: `Bearer ${wrongKey}`, "X-Forwarded-For": `203.0.113.${n}` },
        });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
      expect(statuses.slice(0, LIMIT).every((status) => status === 401)).toBe(true);
      expect(statuses[LIMIT]).toBe(429);
      const valid = await fetch(`${base}/${connectionId}/access-token`, {
        headers: { Authorization: `Bearer ${apiKey}` },
      });
      expect(valid.status).toBe(429);
      expect(valid.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
