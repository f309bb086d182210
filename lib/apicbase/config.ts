import type { Env } from "@/lib/env";
import { SANDBOX_REFUSED } from "@/lib/production-checks";
import { SANDBOX_PARTNER_APP } from "@/lib/sandbox";

export const PRODUCTION_ENDPOINTS = {
  authorize: "https://app.apicbase.com/oauth/authorize/",
  token: "https://api.apicbase.com/oauth/token/",
  introspect: "https://app.apicbase.com/oauth/introspect/",
  revoke: "https://app.apicbase.com/oauth/revoke_token/",
  api: "https://api.apicbase.com/api/v2/",
} as const;

export type ApicbaseEndpoints = { [K in keyof typeof PRODUCTION_ENDPOINTS]: string };

/** Where the portal's Apicbase is: the bundled emulator, a custom base URL (another emulator), or production. */
export type ApicbaseTarget = "sandbox" | "custom" | "production";

export type ApicbaseSettings = {
  target: ApicbaseTarget;
  endpoints: ApicbaseEndpoints;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  timeoutMs: number;
};

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

export function endpointsFromBase(base: string): ApicbaseEndpoints {
  const root = withSlash(base);
  return {
    authorize: new URL("oauth/authorize/", root).href,
    token: new URL("oauth/token/", root).href,
    introspect: new URL("oauth/introspect/", root).href,
    revoke: new URL("oauth/revoke_token/", root).href,
    api: new URL("api/v2/", root).href,
  };
}

/** The sandbox partner application against an emulator at `baseUrl`, for tests and benchmarks. */
export function emulatorSettings(baseUrl: string, timeoutMs: number): ApicbaseSettings {
  return {
    target: "sandbox",
    endpoints: endpointsFromBase(baseUrl),
    clientId: SANDBOX_PARTNER_APP.clientId,
    clientSecret: SANDBOX_PARTNER_APP.clientSecret,
    scopes: ["accounts", "library"],
    timeoutMs,
  };
}

/**
 * Resolves every Apicbase endpoint and the partner application from the environment:
 * APICBASE_BASE_URL points everything at one base; without it and without credentials, the bundled emulator;
 * with credentials, production. Per-endpoint variables override either.
 */
export function resolveApicbaseSettings(env: Env): ApicbaseSettings {
  const hasCredentials = Boolean(env.AUTH_APICBASE_ID);
  if (hasCredentials && !env.AUTH_APICBASE_SECRET) {
    throw new Error("AUTH_APICBASE_SECRET must be set when AUTH_APICBASE_ID is set.");
  }
  let target: ApicbaseTarget;
  let base: ApicbaseEndpoints;
  if (env.APICBASE_BASE_URL) {
    target = hasCredentials ? "custom" : "sandbox";
    base = endpointsFromBase(env.APICBASE_BASE_URL);
  } else if (!hasCredentials) {
    target = "sandbox";
    base = endpointsFromBase(`http://127.0.0.1:${env.EMULATOR_PORT}/`);
  } else {
    target = "production";
    base = { ...PRODUCTION_ENDPOINTS };
  }
  // Every sandbox path (demo application, demo admin, seeding) starts here: production gets none of it by accident.
  if (target === "sandbox" && env.NODE_ENV === "production" && env.SANDBOX !== "1") throw new Error(SANDBOX_REFUSED);
  const endpoints: ApicbaseEndpoints = {
    authorize: env.APICBASE_AUTHORIZE_URL ?? base.authorize,
    token: env.APICBASE_TOKEN_URL ?? base.token,
    introspect: env.APICBASE_INTROSPECT_URL ?? base.introspect,
    revoke: env.APICBASE_REVOKE_URL ?? base.revoke,
    api: withSlash(env.APICBASE_API_URL ?? base.api),
  };
  if (
    target === "production" &&
    Object.values(endpoints).some(
      (u) => !u.startsWith("https://api.apicbase.com/") && !u.startsWith("https://app.apicbase.com/"),
    )
  ) {
    target = "custom";
  }
  return {
    target,
    endpoints,
    clientId: env.AUTH_APICBASE_ID ?? SANDBOX_PARTNER_APP.clientId,
    clientSecret: env.AUTH_APICBASE_SECRET ?? SANDBOX_PARTNER_APP.clientSecret,
    scopes: env.APICBASE_SCOPES.split(/\s+/).filter(Boolean),
    timeoutMs: env.APICBASE_TIMEOUT_MS,
  };
}

/**
 * Where people sign in to this Apicbase in a browser (for links on the portal's pages): APICBASE_BASE_URL, else the
 * bundled emulator, else the authorize endpoint's origin. No trailing slash.
 */
export function apicbaseWebBase(env: Env, settings: ApicbaseSettings = resolveApicbaseSettings(env)): string {
  const base =
    env.APICBASE_BASE_URL ??
    (env.AUTH_APICBASE_ID ? new URL(settings.endpoints.authorize).origin : `http://127.0.0.1:${env.EMULATOR_PORT}`);
  return base.replace(/\/+$/, "");
}
