/** The token API's types, in a module of their own so that its handlers, callers and transports share them. */
import type { FetchLike } from "@/lib/apicbase/http";
import type { ApicbaseAccess } from "@/lib/connections/context";
import type { ApiKeyScope } from "@/lib/db/schema";
import type { HandoutLog } from "./handouts";
import type { KeyRateLimiter } from "./rate-limit";

/** How the Apicbase API proxy calls Apicbase. */
export type ProxySettings = {
  /** Apicbase's REST API, e.g. https://api.apicbase.com/api/v2/ (APICBASE_API_URL). */
  apiUrl: string;
  /** Proxied calls per minute per application, across every process (APICBASE_API_RATE_LIMIT). */
  ratePerMinute: number;
  timeoutMs: number;
  maxRequestBytes: number;
  maxResponseBytes: number;
  fetch?: FetchLike;
};

/** What every token API handler is given: the portal's database and Apicbase, and this process's limits and logs. */
export type TokenApiContext = ApicbaseAccess & {
  /** This process in refresh leases. */
  leaseOwner: string;
  limiter: KeyRateLimiter;
  handouts: HandoutLog;
  proxy: ProxySettings;
};

/** What the transport knows about a request that the Request object does not carry. */
export type RequestMeta = { address: string | null };

/** The organization API key a request came with, once it is known to be live and allowed. */
export type Caller = { keyId: string; organizationId: string; prefix: string; name: string; scopes: ApiKeyScope[] };
