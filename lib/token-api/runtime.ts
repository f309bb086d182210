/** The token API's per-process state, for the Next.js routes and the standalone server alike. */
import type { ApicbaseSettings } from "@/lib/apicbase/config";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import { processId } from "@/lib/lifecycle/process-id";
import { applicationClients } from "@/lib/connections/context";
import type { TokenApiContext } from "./types";
import { HandoutLog } from "./handouts";
import { PROXY_MAX_REQUEST_BYTES, PROXY_MAX_RESPONSE_BYTES } from "./proxy";
import { KeyRateLimiter } from "./rate-limit";

export function createTokenApiContext(args: {
  db: Db;
  keyring: Keyring;
  settings: ApicbaseSettings;
  ratePerMinute: number;
  apicbaseRatePerMinute: number;
}): TokenApiContext {
  const now = () => new Date();
  return {
    db: args.db,
    keyring: args.keyring,
    clientFor: applicationClients(args.db, args.keyring, args.settings, { cached: true, clock: now }),
    now,
    leaseOwner: `api:${processId()}`,
    limiter: new KeyRateLimiter(args.ratePerMinute),
    handouts: new HandoutLog(args.db),
    proxy: {
      apiUrl: args.settings.endpoints.api,
      ratePerMinute: args.apicbaseRatePerMinute,
      timeoutMs: args.settings.timeoutMs,
      maxRequestBytes: PROXY_MAX_REQUEST_BYTES,
      maxResponseBytes: PROXY_MAX_RESPONSE_BYTES,
    },
  };
}
