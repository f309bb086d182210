import { beforeEach } from "vitest";
import { refreshConnection } from "@/lib/lifecycle/refresh";
import { SANDBOX_PARTNER_APP } from "@/lib/sandbox";
import { lifecycleFixture, type LifecycleFixture } from "@/testing/lifecycle-fixtures";
import { suiteResource } from "@/testing/suite";

/**
 * One lifecycle fixture for the enclosing suite: started before its tests (within `timeoutMs`: an emulator and a
 * migrated database), reset before each, closed after them. `use` receives it, for the suite's own `fixture`
 * variable.
 */
export function useLifecycleFixture(use: (fixture: LifecycleFixture) => void, timeoutMs = 60_000): void {
  let fixture: LifecycleFixture | undefined;
  suiteResource(
    () => lifecycleFixture(),
    (started) => {
      fixture = started;
      use(started);
    },
    timeoutMs,
  );
  beforeEach(async () => {
    await fixture!.reset();
  });
}

/**
 * Apicbase forgets Nora's grant to the partner app; then the background refresh meets each of `ids` (made due first),
 * one after the other, and each needs re-authorization.
 */
export async function refreshAfterRevokedGrant(fixture: LifecycleFixture, ids: string[]): Promise<void> {
  await fixture.control.revokeGrant({ email: "nora@sandbox.test", client_id: SANDBOX_PARTNER_APP.clientId });
  await fixture.makeDue(ids);
  for (const id of ids) {
    await refreshConnection(
      fixture.context(),
      { organizationId: fixture.organizationId, connectionId: id },
      { kind: "background" },
    );
  }
}
