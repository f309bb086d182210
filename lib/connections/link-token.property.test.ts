import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { findLink, hashLinkToken, isLinkToken, newLinkToken } from "./links";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const wellFormed = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 43, maxLength: 43 });

/** A database that fails the test if it is asked anything. */
const untouchable = new Proxy(
  {},
  {
    get() {
      throw new Error("a malformed link token reached the database");
    },
  },
) as Db;

describe("link tokens (property-based)", () => {
  it("every new token is a well-formed, distinct 256-bit secret", () => {
    const tokens = Array.from({ length: 2000 }, newLinkToken);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens) expect(isLinkToken(token)).toBe(true);
    expect(Buffer.from(tokens[0]!, "base64url")).toHaveLength(32);
  });

  it("accepts exactly 43 base64url characters, nothing longer, shorter, padded, encoded or with white space", () => {
    fc.assert(
      fc.property(
        wellFormed,
        fc.nat(42),
        fc.constantFrom("=", " ", "\n", "%2F", "/", "+", ".", "é", "\u0000", ""),
        (token, at, extra) => {
          expect(isLinkToken(token)).toBe(true);
          const altered = [
            `${token}${extra}`,
            `${extra}${token}`,
            `${token.slice(0, at)}${extra}${token.slice(at + 1)}`,
          ];
          for (const value of altered) {
            if (value.length === 43 && /^[A-Za-z0-9_-]+$/.test(value)) continue;
            expect(isLinkToken(value)).toBe(false);
          }
          expect(isLinkToken(token.slice(1))).toBe(false);
          expect(isLinkToken(`${token}A`)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("refuses anything else without asking the database", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ minLength: 44, maxLength: 200 })),
        async (value) => {
          fc.pre(!isLinkToken(value));
          expect(await findLink(untouchable, value, new Date())).toBeNull();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("hashes every token to its own 64 hex characters; a token one character away has another hash", () => {
    fc.assert(
      fc.property(wellFormed, fc.nat(42), (token, at) => {
        const other = `${token.slice(0, at)}${token[at] === "A" ? "B" : "A"}${token.slice(at + 1)}`;
        expect(hashLinkToken(token)).toMatch(/^[0-9a-f]{64}$/);
        expect(hashLinkToken(other)).not.toBe(hashLinkToken(token));
      }),
    );
  });
});
