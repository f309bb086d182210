/** The token API's per-process state, for the Next.js routes and the standalone server alike. */
import type { ApicbaseSettings } from "@/lib/apicbase/config";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import { processId } from "@/lib/lifecycle/process-id";
import { cachedClients } from "@/lib/lifecycle/runtime";
import type { TokenApiContext } from "./api";
import { HandoutLog } from "./handouts";
import { KeyRateLimiter } from "./rate-limit";

export function createTokenApiContext(args: { db: Db; keyring: Keyring; settings: ApicbaseSettings; ratePerMinute: number }): TokenApiContext {
  const now = () => new Date();
  return {
    db: args.db,
    keyring: args.keyring,
    clientFor: cachedClients(args.db, args.keyring, args.settings, now),
    now,
    leaseOwner: `api:${processId()}`,
    limiter: new KeyRateLimiter(args.ratePerMinute),
    handouts: new HandoutLog(args.db),
  };
}
