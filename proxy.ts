import { NextResponse, type NextRequest } from "next/server";
import { LINK_RESULT_COOKIE, LINK_RESULT_HEADER, LINK_RESULT_PATH } from "@/lib/connections/link-result";
import { contentSecurityPolicy, createNonce } from "@/lib/csp";
import { untrustedForwardedHeaders } from "@/lib/request-origin";
import { hasMalformedEncoding, malformedPathResponse } from "@/lib/token-api/path-encoding";

// Auth.js's session cookie, over http and https. Its presence is only a hint: pages check the session itself.
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];
const SIGNED_IN_AREAS = ["/connections", "/links", "/api-keys", "/admin", "/no-organization"];

const inArea = (pathname: string, area: string) => pathname === area || pathname.startsWith(`${area}/`);

/**
 * Runs before every page (no database here): a fresh CSP nonce per request; the cheap redirect of visitors without
 * any session cookie to the sign-in page; X-Forwarded-* from clients dropped unless TRUST_PROXY=1; and the sealed
 * result of an authorization link handed to its page once, its cookie deleted in the same answer.
 */
export function proxy(request: NextRequest) {
  // The token API (JSON for backends, its headers set in next.config.js) passes untouched, except a path Next.js
  // itself would answer with a plain-text 500: a malformed percent-encoding.
  if (request.nextUrl.pathname.startsWith("/api/v1/")) {
    return hasMalformedEncoding(request.nextUrl.pathname) ? malformedPathResponse() : NextResponse.next();
  }
  const policy = contentSecurityPolicy(createNonce(), { development: process.env.NODE_ENV === "development" });
  const { pathname, search } = request.nextUrl;
  const portalUrl = process.env.PORTAL_URL || undefined;

  if (
    SIGNED_IN_AREAS.some((area) => inArea(pathname, area)) &&
    !SESSION_COOKIES.some((name) => request.cookies.has(name))
  ) {
    const signIn = new URL("/signin", portalUrl ?? request.url);
    signIn.searchParams.set("callbackUrl", `${pathname}${search}`);
    const response = NextResponse.redirect(signIn);
    response.headers.set("Content-Security-Policy", policy);
    return response;
  }

  const settings = { portalUrl, trustProxy: process.env.TRUST_PROXY === "1" };
  const headers = untrustedForwardedHeaders(request.headers, settings) ?? new Headers(request.headers);
  headers.set("Content-Security-Policy", policy);
  headers.delete(LINK_RESULT_HEADER);
  const linkResult = pathname === LINK_RESULT_PATH ? request.cookies.get(LINK_RESULT_COOKIE)?.value : undefined;
  if (linkResult) headers.set(LINK_RESULT_HEADER, linkResult);

  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  // Single use: the page reads the result from the header above; a reload finds nothing.
  if (linkResult) response.cookies.delete({ name: LINK_RESULT_COOKIE, path: LINK_RESULT_PATH });
  return response;
}

export const config = {
  // Every page and the portal's own routes; not the build's static files. Of the token API only paths holding a
  // "%" (where a malformed encoding can be, see above): running the proxy for every token request cost ~5% of the
  // portal's CPU under load (npm run bench:token-api).
  matcher: ["/((?!_next/static/|_next/image|favicon\\.ico|api/v1/[^%]*$).*)"],
};
