/**
 * A shutdown (SIGTERM) and the connection work outside refreshes: a verification under way is stored before the
 * process exits; after the signal, a verification, a code exchange and a revocation start no call to Apicbase.
 */
import { afterEach, describe, expect, it } from "vitest";
import { installGracefulShutdown } from "@/lib/lifecycle/shutdown";
import { endDrainForTests, inFlightCount } from "@/lib/lifecycle/single-flight";
import { CONNECTION_MESSAGES, describeConnection, PORTAL_RESTARTING } from "@/lib/messages/connections";
import { type LifecycleFixture } from "@/testing/lifecycle-fixtures";
import { useLifecycleFixture } from "@/testing/lifecycle-suite";
import { fakeProcess, until } from "@/testing/process";
import { disconnectConnection } from "./revoke";
import { connectWithCode, verifyConnection } from "./service";

describe("connection work and a shutdown", () => {
  let fixture: LifecycleFixture;
  useLifecycleFixture((f) => (fixture = f));
  afterEach(() => endDrainForTests());

  it("stores a verification under way before exiting, and starts no verify, code exchange or revoke after SIGTERM", async () => {
    const [verifying, late] = await fixture.insertConnections(2);
    await fixture.control.fault({ endpoint: "introspect", mode: "slow", delay_ms: 1000, count: 1 });
    await fixture.control.resetStats();
    const ctx = fixture.context({ actor: { system: "test" } });
    const scope = { organizationId: fixture.organizationId };

    const verification = verifyConnection(ctx, { ...scope, connectionId: verifying! });
    await until("the introspection at Apicbase", async () => (await fixture.control.stats()).requests.introspect === 1);

    const proc = fakeProcess();
    const lines: string[] = [];
    installGracefulShutdown({
      stopRefresher: () => undefined,
      maxWaitMs: 10_000,
      log: (l) => lines.push(l),
      process: proc,
    });
    proc.emit("SIGTERM");
    expect(inFlightCount()).toBe(1);
    expect(lines[0]).toMatch(/finishing 1 call\(s\) to Apicbase under way/);

    // Asked after the signal: told to come back, nothing sent to Apicbase, nothing changed.
    const restarting = { ok: false, reason: "busy", code: "restarting" } as const;
    expect(describeConnection(restarting)).toBe(CONNECTION_MESSAGES.restarting);
    expect(await verifyConnection(ctx, { ...scope, connectionId: late! })).toEqual(restarting);
    expect(
      await connectWithCode(ctx, fixture.client(), {
        code: "a-code-nobody-exchanged",
        redirectUri: "http://portal.test/api/connect/callback",
        ...scope,
        applicationId: fixture.applicationId,
      }),
    ).toEqual(restarting);
    const revoking = await disconnectConnection(ctx, { ...scope, connectionId: late!, reason: "Customer left" });
    expect(revoking).toMatchObject({
      ok: true,
      revocation: "pending",
      code: "revocation_pending",
      apicbaseError: PORTAL_RESTARTING,
    });
    expect(revoking.ok && describeConnection(revoking)).toMatch(
      /the portal is restarting, so it did not ask Apicbase yet/,
    );
    // Its tokens stay unused and encrypted until the sweep finishes the revocation.
    expect(await fixture.row(late!)).toMatchObject({ status: "revoking", revokeReason: "Customer left" });

    await until("the process to exit", () => proc.exit.mock.calls.length > 0, 15_000);
    expect(proc.exit).toHaveBeenCalledWith(0);
    expect(lines.at(-1)).toMatch(/^stopped in \d+ ms$/);
    // The verification under way finished and was stored before the exit.
    expect(await verification).toMatchObject({ ok: true });
    expect((await fixture.row(verifying!)).lastVerifiedAt).not.toBeNull();
    const stats = await fixture.control.stats();
    expect(stats.requests).toMatchObject({ introspect: 1, token: 0, revoke: 0 });
  }, 60_000);
});
