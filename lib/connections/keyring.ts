import { parseKeyring, type Keyring } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";

let cached: { source: string; keyring: Keyring } | undefined;

/** The token encryption keys from TOKEN_ENCRYPTION_KEY (npm start generates one for local runs). */
export function getKeyring(): Keyring {
  const source = env().TOKEN_ENCRYPTION_KEY;
  if (!source) {
    throw new Error(
      "TOKEN_ENCRYPTION_KEY is not set: the portal cannot store or read tokens. See README.md, Configuration.",
    );
  }
  if (cached?.source !== source) cached = { source, keyring: parseKeyring(source) };
  return cached.keyring;
}
