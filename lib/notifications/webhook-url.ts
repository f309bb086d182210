/**
 * Webhook endpoint URLs and the addresses they may reach. Outside the sandbox a URL is https and every address
 * its host resolves to is public: no loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade
 * NAT, multicast or reserved address, in IPv4 or IPv6 (IPv4-mapped forms included). The sandbox (or
 * WEBHOOK_ALLOW_PRIVATE_URLS=1) allows http and private addresses, for receivers on this machine.
 */
import { BlockList, isIP } from "node:net";

export const WEBHOOK_URL_MAX_LENGTH = 2048;

export type WebhookUrlPolicy = {
  /** The sandbox: http and private, loopback and link-local addresses are allowed. */
  allowPrivate: boolean;
};

export type WebhookUrlRefusal =
  "empty" | "too_long" | "malformed" | "scheme" | "credentials" | "host" | "blocked_address";

export type ParsedWebhookUrl = { ok: true; url: string; hostname: string } | { ok: false; reason: WebhookUrlRefusal };

const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128],
  ["64:ff9b::", 96], // NAT64 embeds IPv4 addresses
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10],
  ["ff00::", 8], // multicast
  ["fd00:ec2::254", 128], // AWS metadata over IPv6
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** The IPv4 address inside an IPv4-mapped or -compatible IPv6 address (`::ffff:10.0.0.1`), if it is one. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower.replace(/^::/, "0:"));
  if (dotted && isIP(dotted[1]!) === 4) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = Number.parseInt(hex[1]!, 16);
    const low = Number.parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return null;
}

/** Whether an IP address is one a webhook may never reach outside the sandbox. Anything unparseable counts. */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, "ipv4");
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4) return blocked.check(v4, "ipv4");
    return blocked.check(bare, "ipv6");
  }
  return true;
}

const LOCAL_NAMES = /(^|\.)(localhost|localdomain|local|internal|home\.arpa)$/i;

/**
 * Checks a URL typed on the webhooks page. The hostname's addresses are checked again, resolved, before every
 * delivery (DNS can change); this catches what the text alone shows.
 */
export function parseWebhookUrl(input: string, policy: WebhookUrlPolicy): ParsedWebhookUrl {
  const text = input.trim();
  if (text === "") return { ok: false, reason: "empty" };
  if (text.length > WEBHOOK_URL_MAX_LENGTH) return { ok: false, reason: "too_long" };
  if (/[\s\p{C}]/u.test(text)) return { ok: false, reason: "malformed" };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (url.protocol !== "https:" && !(policy.allowPrivate && url.protocol === "http:")) {
    return { ok: false, reason: "scheme" };
  }
  if (url.username || url.password) return { ok: false, reason: "credentials" };
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  if (!hostname || hostname === ".") return { ok: false, reason: "host" };
  if (!policy.allowPrivate) {
    if (isIP(hostname)) {
      if (isBlockedAddress(hostname)) return { ok: false, reason: "blocked_address" };
    } else {
      // A public name has a dot and no local suffix; numeric-looking names are IPv4 in disguise (URL normalizes most).
      const name = hostname.replace(/\.$/, "");
      if (!name.includes(".") || LOCAL_NAMES.test(name)) return { ok: false, reason: "blocked_address" };
    }
  }
  url.hash = "";
  if (url.href.length > WEBHOOK_URL_MAX_LENGTH) return { ok: false, reason: "too_long" };
  return { ok: true, url: url.href, hostname };
}
