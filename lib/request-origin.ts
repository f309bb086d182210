/**
 * The portal's own origin, for redirect URIs, link URLs and the cookies' Secure flag. PORTAL_URL when configured
 * (always in production: lib/production-checks.ts). Otherwise, in local runs, the request's Host header; the
 * X-Forwarded-Host / X-Forwarded-Proto headers only when TRUST_PROXY=1 says a proxy in front of the portal sets them,
 * since any client can send them.
 */
export type OriginSettings = { portalUrl?: string; trustProxy: boolean };

const FALLBACK_HOST = "localhost:3000";
/** A host name or IP literal with an optional port: nothing that could carry a path, credentials or another URL. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The first value of a header a chain of proxies may have appended to (`a, b`). */
function firstValue(value: string | null): string | undefined {
  const first = value?.split(",")[0]?.trim();
  return first ? first : undefined;
}

export function requestOrigin(headers: Headers, settings: OriginSettings): string {
  if (settings.portalUrl) return new URL(settings.portalUrl).origin;
  const forwardedHost = settings.trustProxy ? firstValue(headers.get("x-forwarded-host")) : undefined;
  const candidate = forwardedHost ?? firstValue(headers.get("host"));
  const host = candidate && HOST.test(candidate) ? candidate.toLowerCase() : FALLBACK_HOST;
  const forwardedProto = settings.trustProxy ? firstValue(headers.get("x-forwarded-proto"))?.toLowerCase() : undefined;
  // Next.js itself serves plain http: https is known only from a trusted proxy (or PORTAL_URL).
  const proto = forwardedProto === "https" ? "https" : "http";
  return new URL(`${proto}://${host}`).origin;
}

/**
 * The forwarded headers as the rest of the request should see them (Auth.js, Next.js): a client's own X-Forwarded-*
 * replaced by what the connection itself says, unless TRUST_PROXY=1. Undefined: leave the headers as they are.
 */
export function untrustedForwardedHeaders(headers: Headers, settings: OriginSettings): Headers | undefined {
  if (settings.trustProxy || settings.portalUrl) return undefined;
  const cleaned = new Headers(headers);
  cleaned.set("x-forwarded-host", firstValue(headers.get("host")) ?? FALLBACK_HOST);
  cleaned.set("x-forwarded-proto", "http");
  return cleaned;
}
