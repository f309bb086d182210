import { describe, expect, it } from "vitest";
import { requestOrigin, untrustedForwardedHeaders } from "./request-origin";

const forged = new Headers({
  host: "localhost:3000",
  "x-forwarded-host": "evil.example",
  "x-forwarded-proto": "https",
});

describe("requestOrigin", () => {
  it("is PORTAL_URL's origin whenever it is set, whatever the headers say", () => {
    expect(requestOrigin(forged, { portalUrl: "https://portal.example/some/path", trustProxy: true })).toBe(
      "https://portal.example",
    );
    expect(requestOrigin(forged, { portalUrl: "http://localhost:3221", trustProxy: false })).toBe(
      "http://localhost:3221",
    );
  });

  it("ignores X-Forwarded-Host and X-Forwarded-Proto unless a proxy is trusted", () => {
    expect(requestOrigin(forged, { trustProxy: false })).toBe("http://localhost:3000");
    expect(requestOrigin(forged, { trustProxy: true })).toBe("https://evil.example");
    const chain = new Headers({
      host: "10.0.0.5:3000",
      "x-forwarded-host": "portal.example, inner",
      "x-forwarded-proto": "https,http",
    });
    expect(requestOrigin(chain, { trustProxy: true })).toBe("https://portal.example");
  });

  it.each([
    "evil.example/path",
    "evil.example@x",
    "a b",
    "evil.example\\x",
    "",
    "evil.example:99999999",
    "user:pw@host",
  ])("never builds an origin from a host that is not one: %j", (host) => {
    const origin = requestOrigin(new Headers({ host: "localhost:3000", "x-forwarded-host": host }), {
      trustProxy: true,
    });
    expect(["http://localhost:3000"]).toContain(origin);
  });
});

describe("untrustedForwardedHeaders", () => {
  it("replaces a client's X-Forwarded-* by what the connection says, unless trusted or PORTAL_URL is set", () => {
    const cleaned = untrustedForwardedHeaders(forged, { trustProxy: false });
    expect(cleaned?.get("x-forwarded-host")).toBe("localhost:3000");
    expect(cleaned?.get("x-forwarded-proto")).toBe("http");
    expect(untrustedForwardedHeaders(forged, { trustProxy: true })).toBeUndefined();
    expect(
      untrustedForwardedHeaders(forged, { trustProxy: false, portalUrl: "https://portal.example" }),
    ).toBeUndefined();
  });
});
