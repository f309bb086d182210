import { afterAll, beforeAll } from "vitest";
import { lifecycleFixture, type LifecycleFixture } from "@/testing/lifecycle-fixtures";

/**
 * One lifecycle fixture for the enclosing suite: started before its tests (within `timeoutMs`: an emulator and a
 * migrated database), closed after them. `use` receives it, for the suite's own `fixture` variable.
 */
export function useLifecycleFixture(use: (fixture: LifecycleFixture) => void, timeoutMs = 60_000): void {
  let fixture: LifecycleFixture | undefined;
  beforeAll(async () => {
    fixture = await lifecycleFixture();
    use(fixture);
  }, timeoutMs);
  afterAll(() => fixture?.close());
}
