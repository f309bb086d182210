import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Encryption at rest for tokens and client secrets: AES-256-GCM, a key id in every payload so keys can be
 * rotated, and associated data that binds a ciphertext to its place (e.g. `connection:<id>:refresh_token`),
 * so a ciphertext copied to another row or column does not decrypt.
 *
 * Payload: `v1.<kid>.<iv>.<ciphertext>.<tag>`, base64url parts, 12-byte random IV, 16-byte tag.
 * No message here ever contains key material, plaintext or a payload.
 */

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

export type Keyring = {
  /** The key new payloads are encrypted with. */
  readonly current: { readonly kid: string; readonly key: Buffer };
  /** Every key a payload may name, the current one included. */
  readonly keys: ReadonlyMap<string, Buffer>;
};

/** The configured key list is unusable (TOKEN_ENCRYPTION_KEY). */
export class KeyringError extends Error {
  override name = "KeyringError";
}

export type SecretDecryptionFailure =
  /** Not a payload of this format (truncated, not base64url, wrong version). */
  | "malformed"
  /** Encrypted with a key that is not in the keyring (removed too early, or another deployment's). */
  | "unknown_key"
  /** Tampered with, or decrypted with the wrong associated data (e.g. another row's id). */
  | "authentication_failed";

export class SecretDecryptionError extends Error {
  override name = "SecretDecryptionError";
  constructor(
    readonly reason: SecretDecryptionFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A new random key: base64 of 32 bytes, the format TOKEN_ENCRYPTION_KEY takes. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

/**
 * Parse TOKEN_ENCRYPTION_KEY: either one base64 key, or a comma-separated list `kid:base64,kid2:base64` whose
 * first entry encrypts and all of which decrypt. An entry without a kid gets one derived from its key's hash,
 * stable across restarts. Base64 or base64url, each exactly 32 bytes.
 */
export function parseKeyring(value: string): Keyring {
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) {
    throw new KeyringError("TOKEN_ENCRYPTION_KEY is empty: set it to a base64 32-byte key (or a list kid:key,...)");
  }
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const position = `TOKEN_ENCRYPTION_KEY entry ${index + 1}`;
    const separator = entry.indexOf(":");
    const encoded = separator === -1 ? entry : entry.slice(separator + 1).trim();
    const key = decodeKey(encoded, position);
    const kid = separator === -1 ? deriveKid(key) : entry.slice(0, separator).trim();
    if (!KID_PATTERN.test(kid)) {
      throw new KeyringError(`${position}: the key id must be 1-32 characters of A-Z, a-z, 0-9, "_" or "-"`);
    }
    if (keys.has(kid)) throw new KeyringError(`${position}: the key id "${kid}" appears twice`);
    keys.set(kid, key);
  });
  const [kid, key] = [...keys][0] as [string, Buffer];
  return { current: { kid, key }, keys };
}

function decodeKey(encoded: string, position: string): Buffer {
  if (!BASE64_PATTERN.test(encoded)) {
    throw new KeyringError(`${position}: the key is not base64 (generate one with \`openssl rand -base64 32\`)`);
  }
  const key = Buffer.from(encoded, encoded.includes("-") || encoded.includes("_") ? "base64url" : "base64");
  if (key.length !== KEY_BYTES) {
    throw new KeyringError(
      `${position}: the key must decode to exactly ${KEY_BYTES} bytes, it decodes to ${key.length}`,
    );
  }
  return key;
}

function deriveKid(key: Buffer): string {
  return `k${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}

/** Encrypt with the keyring's current key; `aad` must be given again, identical, to decrypt. */
export function encryptSecret(keyring: Keyring, plaintext: string, aad: string): string {
  const { kid, key } = keyring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(kid, aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, kid, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

/** Decrypt a payload of encryptSecret; throws SecretDecryptionError when it cannot be trusted. */
export function decryptSecret(keyring: Keyring, payload: string, aad: string): string {
  const { kid, iv, ciphertext, tag } = parsePayload(payload);
  const key = keyring.keys.get(kid);
  if (!key) {
    throw new SecretDecryptionError(
      "unknown_key",
      `The secret was encrypted with key "${kid}", which is not configured`,
    );
  }
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(kid, aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError(
      "authentication_failed",
      "The secret failed authentication: it was altered, or belongs to another record",
    );
  }
}

function parsePayload(payload: string) {
  const parts = payload.split(".");
  const [version, kid, iv, ciphertext, tag] = parts;
  if (
    parts.length !== 5 ||
    version !== VERSION ||
    kid === undefined ||
    !KID_PATTERN.test(kid) ||
    iv === undefined ||
    ciphertext === undefined ||
    tag === undefined ||
    ![iv, ciphertext, tag].every((part) => /^[A-Za-z0-9_-]*$/.test(part))
  ) {
    throw new SecretDecryptionError("malformed", "The stored secret is not in the expected format");
  }
  const decoded = {
    kid,
    iv: Buffer.from(iv, "base64url"),
    ciphertext: Buffer.from(ciphertext, "base64url"),
    tag: Buffer.from(tag, "base64url"),
  };
  if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) {
    throw new SecretDecryptionError("malformed", "The stored secret is not in the expected format");
  }
  return decoded;
}

// The version and key id are authenticated too; NUL keeps the parts from running into each other.
function associatedData(kid: string, aad: string): Buffer {
  return Buffer.from(`${VERSION}\0${kid}\0${aad}`, "utf8");
}
