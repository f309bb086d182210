import type { EmulatorControl } from "@/emulator/testing";
import type { TokenSet } from "@/lib/apicbase/client";
import { SANDBOX_PARTNER_APP } from "@/lib/sandbox";

/** A token pair the emulator mints for `email` and the sandbox partner application, as an approval hands it over. */
export async function mintTokenSet(control: EmulatorControl, email: string, nowMs = Date.now()): Promise<TokenSet> {
  const minted = await control.mintTokens({
    email,
    client_id: SANDBOX_PARTNER_APP.clientId,
    scope: "accounts library",
  });
  return {
    accessToken: minted.access_token,
    refreshToken: minted.refresh_token,
    tokenType: "bearer",
    expiresIn: minted.expires_in,
    expiresAt: new Date(nowMs + minted.expires_in * 1000),
    scopes: minted.scope.split(" "),
  };
}
