import { clientSecretAad, connectionTokenAad } from "@/lib/crypto/associated-data";
import { decryptSecret, encryptSecret, type Keyring } from "@/lib/crypto/secrets";

/** Associated data binds each ciphertext to its row and column: copied elsewhere, it does not decrypt. */
const aad = connectionTokenAad;

export type TokenPair = { accessToken: string; refreshToken: string };

export function sealTokens(keyring: Keyring, connectionId: string, pair: TokenPair) {
  return {
    accessTokenCiphertext: encryptSecret(keyring, pair.accessToken, aad(connectionId, "access_token")),
    refreshTokenCiphertext: encryptSecret(keyring, pair.refreshToken, aad(connectionId, "refresh_token")),
  };
}

export function openTokens(
  keyring: Keyring,
  row: { id: string; accessTokenCiphertext: string | null; refreshTokenCiphertext: string | null },
): TokenPair | null {
  if (!row.accessTokenCiphertext || !row.refreshTokenCiphertext) return null;
  return {
    accessToken: decryptSecret(keyring, row.accessTokenCiphertext, aad(row.id, "access_token")),
    refreshToken: decryptSecret(keyring, row.refreshTokenCiphertext, aad(row.id, "refresh_token")),
  };
}

/** Only the access token: what the token API hands out, without decrypting the refresh token it never needs. */
export function openAccessToken(
  keyring: Keyring,
  row: { id: string; accessTokenCiphertext: string | null },
): string | null {
  return row.accessTokenCiphertext
    ? decryptSecret(keyring, row.accessTokenCiphertext, aad(row.id, "access_token"))
    : null;
}

const secretAad = clientSecretAad;

export function sealClientSecret(keyring: Keyring, applicationId: string, secret: string): string {
  return encryptSecret(keyring, secret, secretAad(applicationId));
}

export function openClientSecret(keyring: Keyring, applicationId: string, ciphertext: string): string {
  return decryptSecret(keyring, ciphertext, secretAad(applicationId));
}
