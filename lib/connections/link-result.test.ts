import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encryptSecret, generateKey, parseKeyring } from "@/lib/crypto/secrets";
import { LINK_RESULT_TTL_MS, openLinkResult, sealLinkResult } from "./link-result";

const keyring = parseKeyring(generateKey());
const now = Date.UTC(2026, 10, 29, 9, 0);

describe("the sealed result of an authorization link", () => {
  it("opens what the callback sealed, within its lifetime", () => {
    const result = { linkId: randomUUID(), outcome: "connected", createdAt: now };
    expect(openLinkResult(keyring, sealLinkResult(keyring, result), now + 1000)).toEqual(result);
    expect(openLinkResult(keyring, sealLinkResult(keyring, { ...result, linkId: null }), now)?.linkId).toBeNull();
  });

  it("opens nothing too old, from the future, missing, altered, sealed with another key or for another purpose", () => {
    const sealed = sealLinkResult(keyring, { linkId: randomUUID(), outcome: "connected", createdAt: now });
    expect(openLinkResult(keyring, sealed, now + LINK_RESULT_TTL_MS + 1)).toBeNull();
    expect(openLinkResult(keyring, sealed, now - 60_000)).toBeNull();
    expect(openLinkResult(keyring, undefined, now)).toBeNull();
    expect(openLinkResult(keyring, "", now)).toBeNull();
    expect(openLinkResult(keyring, "connected", now)).toBeNull();
    const flipped = `${sealed.slice(0, -2)}${sealed.endsWith("A") ? "B" : "A"}${sealed.slice(-1)}`;
    expect(openLinkResult(keyring, flipped, now)).toBeNull();
    expect(openLinkResult(parseKeyring(generateKey()), sealed, now)).toBeNull();
    const forged = encryptSecret(
      keyring,
      JSON.stringify({ linkId: null, outcome: "connected", createdAt: now }),
      "connect-intent",
    );
    expect(openLinkResult(keyring, forged, now)).toBeNull();
  });
});
