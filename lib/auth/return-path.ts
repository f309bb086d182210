export const DEFAULT_RETURN_PATH = "/connections";

const ORIGIN = "http://portal.invalid";

/** Control characters and spaces (browsers strip or re-encode them) and backslashes (browsers read them as `/`). */
const UNSAFE_CHARACTERS = /[\\\x00-\x20\x7f]/;
/** `/`, `\` or a control character percent-encoded: some proxies and servers decode them before routing. */
const ENCODED_SEPARATOR = /%(2f|5c|[01][0-9a-f]|7f)/i;

/**
 * A path on this portal (`/...`, with its query and fragment), or undefined for anything that could leave the origin
 * or change meaning when parsed again. The check runs on the normalised value, the one that is returned: dot segments
 * (`/.//host`, `/a/..//host`, `/%2e%2e//host`) would otherwise collapse into a protocol-relative `//host`.
 */
export function portalPath(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > 1024) return undefined;
  if (!value.startsWith("/") || UNSAFE_CHARACTERS.test(value)) return undefined;
  if (ENCODED_SEPARATOR.test(value.split(/[?#]/, 1)[0] ?? "")) return undefined;
  if (!URL.canParse(value, ORIGIN)) return undefined;
  const url = new URL(value, ORIGIN);
  if (url.origin !== ORIGIN) return undefined;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The final value itself: one leading slash, nothing a browser reads as another host, stable when parsed again.
  if (!path.startsWith("/") || path.startsWith("//") || UNSAFE_CHARACTERS.test(path)) return undefined;
  if (ENCODED_SEPARATOR.test(url.pathname)) return undefined;
  const again = new URL(path, ORIGIN);
  if (again.origin !== ORIGIN || `${again.pathname}${again.search}${again.hash}` !== path) return undefined;
  return path;
}

/** Where to go after signing in: a path on this portal, never back into the sign-in flow itself. */
export function safeReturnPath(value: unknown, fallback = DEFAULT_RETURN_PATH): string {
  const path = portalPath(value);
  if (path === undefined) return fallback;
  const pathname = new URL(path, ORIGIN).pathname;
  const signInFlow = pathname === "/signin" || pathname.startsWith("/signin/") || pathname.startsWith("/api/auth");
  return signInFlow ? fallback : path;
}

/**
 * Auth.js's `redirect` callback: every address it sends a browser to after signing in or out passes the same check.
 * `baseUrl` is the portal's own origin; anything else, or a path the check refuses, lands on the default.
 */
export function authRedirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  const base = new URL(baseUrl);
  const target = URL.canParse(url, base) ? new URL(url, base) : undefined;
  const sameOrigin = target !== undefined && target.origin === base.origin;
  const path = (sameOrigin && portalPath(`${target.pathname}${target.search}${target.hash}`)) || DEFAULT_RETURN_PATH;
  return new URL(path, base.origin).href;
}
