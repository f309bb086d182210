/** The delivery loop as the web server and `npm run worker` run it: configured from the environment. */
import { resolveApicbaseSettings } from "@/lib/apicbase/config";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { processId } from "@/lib/lifecycle/process-id";
import { Deliverer } from "./deliverer";

/** Receivers on private networks and plain http: the sandbox, or WEBHOOK_ALLOW_PRIVATE_URLS=1. */
export function allowPrivateReceivers(config: Env): boolean {
  return config.WEBHOOK_ALLOW_PRIVATE_URLS === "1" || resolveApicbaseSettings(config).target === "sandbox";
}

export function delivererFromEnvironment(args: { db: Db; keyring: Keyring; env: Env; role: string; log: (line: string) => void }): Deliverer {
  return new Deliverer({
    db: args.db,
    keyring: args.keyring,
    now: () => new Date(),
    owner: `${args.role}:${processId()}`,
    allowPrivate: allowPrivateReceivers(args.env),
    log: args.log,
  });
}
