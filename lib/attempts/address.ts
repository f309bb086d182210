/**
 * The client address that attempt limits count per.
 *
 * - Behind a reverse proxy (`TRUST_PROXY=1`): the last X-Forwarded-For entry, the one the proxy appended.
 * - `npm run token-api` without one: the TCP peer.
 * - `next start` without one: Next.js sets X-Forwarded-For to the TCP peer only when the request has none, so a
 *   client can name any address there. The limits per address then rest on a global backstop as well
 *   (lib/token-api/failed-keys.ts); deployments on the internet put a proxy in front and set TRUST_PROXY=1.
 */
export function clientAddress(headers: Headers, options: { trustProxy: boolean; peer?: string | null }): string {
  const forwarded = headers
    .get("x-forwarded-for")
    ?.split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (options.trustProxy && forwarded?.length) return normalize(forwarded[forwarded.length - 1]!);
  if (options.peer) return normalize(options.peer);
  return forwarded?.length ? normalize(forwarded[forwarded.length - 1]!) : "unknown";
}

// IPv4 peers of a dual-stack socket arrive as ::ffff:1.2.3.4; one address, one counter.
function normalize(address: string): string {
  const lower = address.toLowerCase().slice(0, 64);
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}
