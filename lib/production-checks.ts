/**
 * What a production deployment must not run without, checked from the raw environment (empty values count as unset)
 * by `npm start` before it starts anything, and by the portal's own processes before they serve or seed anything.
 * No imports, so that scripts/start.ts and instrumentation.ts can run it before loading anything else.
 */
type RawEnv = Record<string, string | undefined>;

const set = (value: string | undefined): boolean => value !== undefined && value !== "";

export const PORTAL_URL_REQUIRED =
  "PORTAL_URL must be set when NODE_ENV=production: the portal's public URL (e.g. https://portal.example.com). " +
  "Redirect URIs, link URLs and the cookies' Secure flag are built from it, never from a request's Host or " +
  'X-Forwarded-* headers. See README.md, "Configuration".';

export const SANDBOX_REFUSED =
  "NODE_ENV=production without Apicbase credentials (AUTH_APICBASE_ID, AUTH_APICBASE_SECRET) would run the local " +
  "sandbox: its demo application, admin@sandbox.test as a portal admin and its demo organization. Set the " +
  "credentials of your Apicbase application, or SANDBOX=1 to run the sandbox in production on purpose. " +
  'See README.md, "Configuration".';

/** Whether this environment runs the local sandbox (no Apicbase credentials: the emulator's demo application). */
export function isSandboxEnvironment(env: RawEnv): boolean {
  return !set(env.AUTH_APICBASE_ID);
}

/** Whether the sandbox may run here: anywhere but production, and in production only with SANDBOX=1. */
export function sandboxAllowed(env: RawEnv): boolean {
  return env.NODE_ENV !== "production" || env.SANDBOX === "1";
}

/** Every reason this environment must not start; empty when it may. */
export function productionRefusals(env: RawEnv): string[] {
  if (env.NODE_ENV !== "production") return [];
  const refusals: string[] = [];
  if (!set(env.PORTAL_URL)) refusals.push(PORTAL_URL_REQUIRED);
  if (isSandboxEnvironment(env) && !sandboxAllowed(env)) refusals.push(SANDBOX_REFUSED);
  return refusals;
}
