/** The refresher as the web server and `npm run worker` run it: configured from the environment. */
import type { ApicbaseClient } from "@/lib/apicbase/client";
import type { ApicbaseSettings } from "@/lib/apicbase/config";
import { clientForApplication } from "@/lib/connections/applications";
import type { ConnectionContext } from "@/lib/connections/service";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { processId } from "./process-id";
import { Refresher } from "./refresher";

/** Clients are reused for a minute: fewer database reads, and a 429's Retry-After is remembered per application. */
const CLIENT_TTL_MS = 60_000;

export function cachedClients(
  db: Db,
  keyring: Keyring,
  settings: ApicbaseSettings,
  clock: () => Date,
): (applicationId: string) => Promise<ApicbaseClient> {
  const cache = new Map<string, { client: Promise<ApicbaseClient>; until: number }>();
  return (applicationId) => {
    const hit = cache.get(applicationId);
    if (hit && hit.until > Date.now()) return hit.client;
    const client = clientForApplication(db, keyring, settings, applicationId, clock);
    cache.set(applicationId, { client, until: Date.now() + CLIENT_TTL_MS });
    client.catch(() => cache.delete(applicationId));
    return client;
  };
}

export type RefresherRole = "refresher" | "worker";

export function refresherContext(args: {
  db: Db;
  keyring: Keyring;
  settings: ApicbaseSettings;
  role: RefresherRole;
}): ConnectionContext {
  const now = () => new Date();
  return {
    db: args.db,
    keyring: args.keyring,
    clientFor: cachedClients(args.db, args.keyring, args.settings, now),
    now,
    actor: { system: args.role },
    leaseOwner: `${args.role}:${processId()}`,
  };
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
