import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  KeyringError,
  SecretDecryptionError,
  decryptSecret,
  encryptSecret,
  generateKey,
  parseKeyring,
  type SecretDecryptionFailure,
} from "./secrets";

/** The key id a payload names (version.kid.iv.ciphertext.tag). */
const kidOf = (payload: string) => payload.split(".")[1];

const AAD = "connection:0b7c4a52-5d1e-4c36-9d4f-7f1f0c1d2e3a:refresh_token";

function decryptionFailure(run: () => unknown): SecretDecryptionFailure {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretDecryptionError);
    return (error as SecretDecryptionError).reason;
  }
  throw new Error("expected decryption to fail");
}

function flipCharacter(text: string, index: number): string {
  const replacement = text[index] === "A" ? "B" : "A";
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe("generateKey / parseKeyring", () => {
  it("generates distinct base64 32-byte keys that parse as a one-key keyring", () => {
    const first = generateKey();
    expect(Buffer.from(first, "base64")).toHaveLength(32);
    expect(generateKey()).not.toBe(first);
    const keyring = parseKeyring(first);
    expect(keyring.keys.size).toBe(1);
    expect(keyring.current.key.equals(Buffer.from(first, "base64"))).toBe(true);
  });

  it("derives a stable key id for a bare key, without revealing the key", () => {
    const key = generateKey();
    const { kid } = parseKeyring(key).current;
    expect(parseKeyring(key).current.kid).toBe(kid);
    expect(parseKeyring(generateKey()).current.kid).not.toBe(kid);
    expect(key).not.toContain(kid.slice(1));
  });

  it("takes a list: the first key encrypts, every key decrypts", () => {
    const keyring = parseKeyring(` new:${generateKey()} , old:${generateKey()}`);
    expect(keyring.current.kid).toBe("new");
    expect([...keyring.keys.keys()]).toEqual(["new", "old"]);
  });

  it("accepts base64url keys", () => {
    const key = randomBytes(32);
    expect(parseKeyring(key.toString("base64url")).current.key.equals(key)).toBe(true);
  });

  it.each([
    ["", /empty/],
    [" , ", /empty/],
    [randomBytes(16).toString("base64"), /exactly 32 bytes, it decodes to 16/],
    [randomBytes(33).toString("base64"), /exactly 32 bytes, it decodes to 33/],
    ["not a key!", /not base64/],
    [`a.b:${generateKey()}`, /key id/],
    [`:${generateKey()}`, /key id/],
    [`same:${generateKey()},same:${generateKey()}`, /appears twice/],
    [`good:${generateKey()},bad:${randomBytes(31).toString("base64")}`, /entry 2: .*exactly 32 bytes/],
  ])("rejects %j with a clear message", (value, message) => {
    expect(() => parseKeyring(value)).toThrow(KeyringError);
    expect(() => parseKeyring(value)).toThrow(message);
  });

  it("never puts key material in its errors", () => {
    const short = randomBytes(20).toString("base64");
    expect(() => parseKeyring(`k1:${short}`)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(short) }),
    );
  });
});

describe("encryptSecret / decryptSecret", () => {
  const keyring = parseKeyring(generateKey());

  it("round-trips, with a fresh IV every time", () => {
    const secret = "abcDEF123-refresh-token-ünïcode-✓";
    const first = encryptSecret(keyring, secret, AAD);
    const second = encryptSecret(keyring, secret, AAD);
    expect(first).not.toBe(second);
    expect(decryptSecret(keyring, first, AAD)).toBe(secret);
    expect(decryptSecret(keyring, second, AAD)).toBe(secret);
    expect(decryptSecret(keyring, encryptSecret(keyring, "", AAD), AAD)).toBe("");
  });

  it("produces a compact versioned payload that does not contain the secret", () => {
    const secret = "plain-access-token-value";
    const payload = encryptSecret(keyring, secret, AAD);
    expect(payload).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(payload.split(".")[1]).toBe(keyring.current.kid);
    expect(payload).not.toContain(secret);
    expect(payload).not.toContain(Buffer.from(secret).toString("base64url"));
  });

  it("rotates: an old key still decrypts, the new key encrypts", () => {
    const oldKey = generateKey();
    const before = parseKeyring(`old:${oldKey}`);
    const stored = encryptSecret(before, "token", AAD);

    const after = parseKeyring(`new:${generateKey()},old:${oldKey}`);
    expect(decryptSecret(after, stored, AAD)).toBe("token");
    expect(kidOf(stored)).not.toBe(after.current.kid);

    const reencrypted = encryptSecret(after, "token", AAD);
    expect(reencrypted.split(".")[1]).toBe("new");
    expect(kidOf(reencrypted)).toBe(after.current.kid);
    expect(decryptionFailure(() => decryptSecret(before, reencrypted, AAD))).toBe("unknown_key");
  });

  it("detects tampering with the ciphertext, the tag or the IV", () => {
    const payload = encryptSecret(keyring, "a refresh token", AAD);
    const [version, kid, iv, ciphertext, tag] = payload.split(".") as [string, string, string, string, string];
    const tampered = [
      [version, kid, iv, flipCharacter(ciphertext, 0), tag],
      [version, kid, iv, ciphertext, flipCharacter(tag, 0)],
      [version, kid, flipCharacter(iv, 0), ciphertext, tag],
      [version, kid, iv, ciphertext.slice(0, -2), tag],
    ];
    for (const parts of tampered) {
      expect(decryptionFailure(() => decryptSecret(keyring, parts.join("."), AAD))).toBe("authentication_failed");
    }
  });

  it("refuses another record's associated data", () => {
    const payload = encryptSecret(keyring, "a refresh token", AAD);
    const otherRow = AAD.replace("0b7c4a52", "0b7c4a53");
    expect(decryptionFailure(() => decryptSecret(keyring, payload, otherRow))).toBe("authentication_failed");
    expect(decryptionFailure(() => decryptSecret(keyring, payload, `${AAD}x`))).toBe("authentication_failed");
  });

  it("refuses a payload relabelled with another configured key id", () => {
    const two = parseKeyring(`a:${generateKey()},b:${generateKey()}`);
    const payload = encryptSecret(two, "secret", AAD);
    const relabelled = payload.replace(/^v1\.a\./, "v1.b.");
    expect(decryptionFailure(() => decryptSecret(two, relabelled, AAD))).toBe("authentication_failed");
  });

  it("names an unknown key id without leaking anything else", () => {
    const other = parseKeyring(`elsewhere:${generateKey()}`);
    const payload = encryptSecret(other, "secret", AAD);
    expect(decryptionFailure(() => decryptSecret(keyring, payload, AAD))).toBe("unknown_key");
    expect(() => decryptSecret(keyring, payload, AAD)).toThrow(/"elsewhere"/);
  });

  it.each([
    "",
    "plaintext-token",
    "v2.kid.aaaaaaaaaaaaaaaa.bbbb.cccccccccccccccccccccc",
    "v1.kid.short.bbbb.cccccccccccccccccccccc",
    "v1.kid.aaaaaaaaaaaaaaaa.bb+b.cccccccccccccccccccccc",
    "v1..aaaaaaaaaaaaaaaa.bbbb.cccccccccccccccccccccc",
  ])("rejects the malformed payload %j", (payload) => {
    expect(decryptionFailure(() => decryptSecret(keyring, payload, AAD))).toBe("malformed");
  });
});
