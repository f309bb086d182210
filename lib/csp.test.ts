import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce } from "./csp";

describe("contentSecurityPolicy", () => {
  it("allows scripts by nonce only, with 'strict-dynamic' for the chunks they load", () => {
    const policy = contentSecurityPolicy("bm9uY2U=");
    const scripts = policy.split("; ").find((directive) => directive.startsWith("script-src "));
    expect(scripts).toBe("script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'");
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it("adds 'unsafe-eval' for the development server only", () => {
    expect(contentSecurityPolicy("n", { development: true })).toContain("'strict-dynamic' 'unsafe-eval'");
  });
});

describe("createNonce", () => {
  it("is 128 random bits in base64, different every time", () => {
    const nonces = new Set(Array.from({ length: 1000 }, createNonce));
    expect(nonces.size).toBe(1000);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});
