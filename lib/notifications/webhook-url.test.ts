import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isBlockedAddress, parseWebhookUrl, WEBHOOK_URL_MAX_LENGTH } from "./webhook-url";

const PUBLIC = { allowPrivate: false };
const SANDBOX = { allowPrivate: true };

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join("."));
const privateIpv4 = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `127.${a}.${b}.${c}`),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `169.254.${a}.${b}`),
  fc.tuple(fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `172.${a}.${b}.${c}`),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `192.168.${a}.${b}`),
);
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const publicHost = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom("com", "io", "eu", "net"))
  .map(([labels, tld]) => [...labels, tld].join("."));
const path = fc
  .array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { maxLength: 4 })
  .map((parts) => `/${parts.join("/")}`);

describe("parseWebhookUrl", () => {
  it("never throws, whatever it is given", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: "grapheme" })),
        fc.boolean(),
        (input, allowPrivate) => {
          const parsed = parseWebhookUrl(input, { allowPrivate });
          expect(typeof parsed.ok).toBe("boolean");
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("what it accepts outside the sandbox is https, without credentials or fragment, within the length limit", () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl({ withFragments: true, withQueryParameters: true }), fc.string()), (input) => {
        const parsed = parseWebhookUrl(input, PUBLIC);
        if (!parsed.ok) return;
        const url = new URL(parsed.url);
        expect(url.protocol).toBe("https:");
        expect(url.username + url.password).toBe("");
        expect(url.hash).toBe("");
        expect(parsed.url.length).toBeLessThanOrEqual(WEBHOOK_URL_MAX_LENGTH);
      }),
      { numRuns: 2000 },
    );
  });

  it("is idempotent: an accepted URL parses to itself", () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withFragments: true, withQueryParameters: true }),
        fc.boolean(),
        (input, allowPrivate) => {
          const parsed = parseWebhookUrl(input, { allowPrivate });
          if (!parsed.ok) return;
          expect(parseWebhookUrl(parsed.url, { allowPrivate })).toEqual(parsed);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("accepts https URLs of public host names, with surrounding white space trimmed", () => {
    fc.assert(
      fc.property(publicHost, path, fc.constantFrom("", " ", "\t"), (host, pathname, pad) => {
        const parsed = parseWebhookUrl(`${pad}https://${host}${pathname}${pad}`, PUBLIC);
        expect(parsed).toMatchObject({ ok: true, hostname: host });
      }),
    );
  });

  it("refuses loopback, private and link-local addresses outside the sandbox, in any spelling the URL parser normalizes", () => {
    fc.assert(
      fc.property(privateIpv4, path, (address, pathname) => {
        expect(parseWebhookUrl(`https://${address}${pathname}`, PUBLIC)).toEqual({
          ok: false,
          reason: "blocked_address",
        });
        const [a, b, c, d] = address.split(".").map(Number) as [number, number, number, number];
        const asNumber = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
        expect(parseWebhookUrl(`https://${asNumber}${pathname}`, PUBLIC)).toEqual({
          ok: false,
          reason: "blocked_address",
        });
        expect(parseWebhookUrl(`https://[::ffff:${address}]${pathname}`, PUBLIC)).toEqual({
          ok: false,
          reason: "blocked_address",
        });
        // The sandbox allows them (and http).
        expect(parseWebhookUrl(`http://${address}${pathname}`, SANDBOX).ok).toBe(true);
      }),
    );
    for (const url of [
      "https://localhost/hook",
      "https://metadata.google.internal/",
      "https://[::1]/",
      "https://[fe80::1]/",
      "https://0x7f000001/",
      "https://169.254.169.254/latest/meta-data/",
    ]) {
      expect(parseWebhookUrl(url, PUBLIC), url).toEqual({ ok: false, reason: "blocked_address" });
    }
  });

  it("refuses plain http outside the sandbox, and user names and passwords everywhere", () => {
    fc.assert(
      fc.property(publicHost, path, (host, pathname) => {
        expect(parseWebhookUrl(`http://${host}${pathname}`, PUBLIC)).toEqual({ ok: false, reason: "scheme" });
        expect(parseWebhookUrl(`https://user:pw@${host}${pathname}`, SANDBOX)).toEqual({
          ok: false,
          reason: "credentials",
        });
      }),
    );
    for (const url of ["ftp://example.com/", "javascript:alert(1)", "file:///etc/passwd", "data:text/plain,hi"]) {
      expect(parseWebhookUrl(url, SANDBOX).ok, url).toBe(false);
    }
  });
});

describe("isBlockedAddress", () => {
  it("blocks every private IPv4 address and its IPv4-mapped IPv6 form", () => {
    fc.assert(
      fc.property(privateIpv4, (address) => {
        expect(isBlockedAddress(address)).toBe(true);
        expect(isBlockedAddress(`::ffff:${address}`)).toBe(true);
      }),
    );
  });

  it("allows ordinary public addresses", () => {
    for (const address of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "151.101.1.69"])
      expect(isBlockedAddress(address), address).toBe(false);
  });

  it("treats anything that is not an address as blocked", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^[0-9a-f.:]+$/i.test(s)),
        (text) => {
          expect(isBlockedAddress(text)).toBe(true);
        },
      ),
    );
  });

  it("agrees with its ranges for any IPv4 address", () => {
    fc.assert(
      fc.property(ipv4, (address) => {
        const [a, b] = address.split(".").map(Number) as [number, number];
        const expected =
          a === 0 ||
          a === 10 ||
          a === 127 ||
          (a === 169 && b === 254) ||
          (a === 172 && b >= 16 && b <= 31) ||
          (a === 192 && b === 168) ||
          (a === 100 && b >= 64 && b <= 127) ||
          a >= 224;
        if (expected) expect(isBlockedAddress(address)).toBe(true);
      }),
    );
  });
});
