import type { OAuthConfig } from "next-auth/providers";
import { customFetch } from "@auth/core";
import { ApicbaseClient, isApicbaseError, type ApicbaseSettings } from "@/lib/apicbase";

export const APICBASE_PROVIDER_ID = "apicbase";

/** Who signed in, as Apicbase says: its numeric user id is the key, the e-mail is the username. */
export type ApicbaseProfile = {
  id: number;
  email: string;
  name: string;
  activeLibrary: { id: number; name: string };
};

/**
 * Learns who approved: Get Active Library gives the numeric user id, introspection the username. The username
 * is only a better e-mail source, so a failed introspection falls back to the user's e-mail from the API.
 */
export async function fetchApicbaseProfile(client: ApicbaseClient, accessToken: string): Promise<ApicbaseProfile> {
  const [library, introspection] = await Promise.all([
    client.getActiveLibrary(accessToken),
    client.introspect(accessToken).catch((error: unknown) => {
      if (isApicbaseError(error)) {
        console.warn(`[auth] introspection during sign-in failed (${error.message}); using the e-mail from the API`);
        return undefined;
      }
      throw error;
    }),
  ]);
  if (introspection && !introspection.active) {
    throw new Error("Apicbase reports the token it has just issued as inactive");
  }
  const { user } = library;
  const email = (introspection?.username?.includes("@") ? introspection.username : user.email).trim().toLowerCase();
  if (!email.includes("@")) throw new Error("Apicbase returned no e-mail address for this user");
  return {
    id: user.id,
    email,
    name: `${user.firstName} ${user.lastName}`.trim() || email,
    activeLibrary: { id: library.id, name: library.name },
  };
}

/**
 * The "Sign in with Apicbase" provider: Authorization Code with PKCE and state, client_secret_post, every endpoint
 * from the settings (so no OIDC discovery). The tokens serve only to build the profile: `account()` keeps none.
 */
export function apicbaseProvider(settings: ApicbaseSettings, client: ApicbaseClient): OAuthConfig<ApicbaseProfile> {
  const { endpoints } = settings;
  return {
    id: APICBASE_PROVIDER_ID,
    name: "Apicbase",
    type: "oauth",
    // Compared with an `iss` in the callback, should Apicbase ever send one; never used for discovery because
    // every endpoint is given.
    issuer: new URL(endpoints.authorize).origin,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    client: { token_endpoint_auth_method: "client_secret_post" },
    checks: ["pkce", "state"],
    authorization: { url: endpoints.authorize, params: { scope: settings.scopes.join(" ") } },
    token: endpoints.token,
    userinfo: {
      url: new URL("accounts/libraries/active/", endpoints.api).href,
      request: ({ tokens }: { tokens: { access_token?: string } }) => {
        if (!tokens.access_token) throw new Error("Apicbase issued no access token");
        return fetchApicbaseProfile(client, tokens.access_token);
      },
    },
    profile: (profile) => ({
      id: String(profile.id),
      apicbaseUserId: profile.id,
      email: profile.email,
      name: profile.name,
    }),
    account: (tokens) => ({ token_type: tokens.token_type, scope: tokens.scope }),
    // The token exchange gets the same timeout as every other call to Apicbase, and never follows a redirect.
    [customFetch]: (input: string | URL | Request, init?: RequestInit) =>
      fetch(input, { ...init, redirect: "manual", signal: AbortSignal.timeout(settings.timeoutMs) }),
  };
}
