import { z } from "zod";

const instanceAnswer = z.object({ instance_id: z.string().min(1), state_since: z.iso.datetime() });

/** Which sandbox answers at `webBase`: its id and since when it holds its state (a start from the seed, a reset). */
export type SandboxInstance = { instanceId: string; stateSince: Date };

/**
 * Asks the bundled emulator which sandbox it is (`GET /__emulator/instance`, a control real Apicbase does not
 * have). Null when it does not answer that (another emulator, an older one, or it is down): callers then say what
 * they would say for real Apicbase.
 */
export async function fetchSandboxInstance(webBase: string, timeoutMs = 2_000): Promise<SandboxInstance | null> {
  try {
    const response = await fetch(`${webBase.replace(/\/+$/, "")}/__emulator/instance`, {
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return null;
    const parsed = instanceAnswer.safeParse(await response.json());
    return parsed.success
      ? { instanceId: parsed.data.instance_id, stateSince: new Date(parsed.data.state_since) }
      : null;
  } catch {
    return null;
  }
}
