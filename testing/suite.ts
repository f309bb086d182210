import { afterAll, beforeAll, beforeEach } from "vitest";
import { startEmulator } from "@/emulator/testing";

/**
 * Something the enclosing suite's tests share (a fixture, a local server): started before its tests (within
 * `timeoutMs` when given), closed after them. `use` receives it, for the suite's own variable.
 */
export function suiteResource<Resource extends { close(): Promise<void> }>(
  start: () => Promise<Resource>,
  use: (resource: Resource) => void,
  timeoutMs?: number,
): void {
  let resource: Resource | undefined;
  beforeAll(async () => {
    resource = await start();
    use(resource);
  }, timeoutMs);
  afterAll(() => resource?.close());
}

export type TestEmulator = Awaited<ReturnType<typeof startEmulator>>;

/** The bundled emulator, shared by the enclosing suite's tests and reset before each; `use` receives it. */
export function suiteEmulator(use: (emulator: TestEmulator) => void): void {
  let emulator: TestEmulator | undefined;
  suiteResource(startEmulator, (started) => {
    emulator = started;
    use(started);
  });
  beforeEach(async () => {
    await emulator!.control.reset();
  });
}
