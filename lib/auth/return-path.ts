export const DEFAULT_RETURN_PATH = "/connections";

const ORIGIN = "http://portal.invalid";

/**
 * Where to go after signing in: only a path on this portal. Anything that could leave the origin (`//host`,
 * `/\host`, `https://...`, control characters that browsers strip) falls back to the default.
 */
export function safeReturnPath(value: unknown, fallback = DEFAULT_RETURN_PATH): string {
  if (typeof value !== "string" || value.length > 1024) return fallback;
  if (!value.startsWith("/") || /[\\\x00-\x20\x7f]/.test(value) || /^\/[/\\]/.test(value)) return fallback;
  const url = new URL(value, ORIGIN);
  if (url.origin !== ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Never back into the sign-in flow itself.
  return path.startsWith("/signin") || path.startsWith("/api/auth") ? fallback : path;
}
