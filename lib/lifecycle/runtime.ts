/** The refresher as the web server and `npm run worker` run it: configured from the environment. */
import type { ApicbaseClient } from "@/lib/apicbase/client";
import type { ApicbaseSettings } from "@/lib/apicbase/config";
import { applicationClients, createConnectionContext, type ConnectionContext } from "@/lib/connections/context";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { processId } from "./process-id";
import { Refresher } from "./refresher";

/** Each application's client, reused for a minute (see applicationClients). */
export function cachedClients(
  db: Db,
  keyring: Keyring,
  settings: ApicbaseSettings,
  clock: () => Date,
): (applicationId: string) => Promise<ApicbaseClient> {
  return applicationClients(db, keyring, settings, { cached: true, clock });
}

export type RefresherRole = "refresher" | "worker";

export function refresherContext(args: {
  db: Db;
  keyring: Keyring;
  settings: ApicbaseSettings;
  role: RefresherRole;
}): ConnectionContext {
  const now = () => new Date();
  return createConnectionContext({
    db: args.db,
    keyring: args.keyring,
    clientFor: cachedClients(args.db, args.keyring, args.settings, now),
    now,
    actor: { system: args.role },
    leaseOwner: `${args.role}:${processId()}`,
  });
}

export function refresherFromEnvironment(args: {
  db: Db;
  keyring: Keyring;
  settings: ApicbaseSettings;
  env: Env;
  role: RefresherRole;
  log: (line: string) => void;
}): Refresher {
  const perMinute = args.env.REFRESH_BUDGET_PER_MINUTE;
  return new Refresher({
    ctx: refresherContext(args),
    budget: { perMinute, burst: Math.max(1, Math.ceil(perMinute / 4)) },
    concurrency: args.env.REFRESH_CONCURRENCY,
    log: args.log,
  });
}
