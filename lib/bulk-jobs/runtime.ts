/** The bulk job runner as the web server and `npm run worker` run it: configured from the environment. */
import type { ApicbaseSettings } from "@/lib/apicbase/config";
import { adminEmailsFromEnv } from "@/lib/auth/admins";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { processId } from "@/lib/lifecycle/process-id";
import { cachedClients } from "@/lib/lifecycle/runtime";
import { BulkRunner } from "./runner";

export function bulkRunnerFromEnvironment(args: {
  db: Db;
  keyring: Keyring;
  settings: ApicbaseSettings;
  env: Env;
  role: string;
  log: (line: string) => void;
}): BulkRunner {
  const now = () => new Date();
  const perMinute = args.env.REFRESH_BUDGET_PER_MINUTE;
  return new BulkRunner({
    db: args.db,
    keyring: args.keyring,
    clientFor: cachedClients(args.db, args.keyring, args.settings, now),
    now,
    owner: `bulk:${args.role}:${processId()}`,
    // The refresher's budget: bulk refreshes and background refreshes together stay under it.
    budget: { perMinute, burst: Math.max(1, Math.ceil(perMinute / 4)) },
    adminEmails: adminEmailsFromEnv(args.env),
    log: args.log,
  });
}
