import * as oauth from "oauth4webapi";
import type { ApicbaseEndpoints } from "./config";
import { ApicbaseError, type ApicbaseEndpointName } from "./errors";
import { parseRetryAfter, send, toResponse, type BufferedResponse, type FetchLike } from "./http";
import {
  activeLibraryResponse,
  introspectionResponse,
  librariesPage,
  oauthErrorBody,
  scopeList,
  tokenResponse,
} from "./schemas";

export const OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob";

export type ApicbaseClientOptions = {
  endpoints: ApicbaseEndpoints;
  clientId: string;
  clientSecret: string;
  /** Apicbase documents client_secret_post; Basic works too. */
  clientAuth?: "client_secret_post" | "client_secret_basic";
  timeoutMs?: number;
  fetch?: FetchLike;
  /** Injectable clock (ms since epoch), for expiry arithmetic and Retry-After waits. */
  now?: () => number;
};

export type TokenSet = {
  accessToken: string;
  refreshToken: string;
  tokenType: "bearer";
  expiresIn: number;
  expiresAt: Date;
  scopes: string[];
};

export type Introspection =
  | { active: false }
  | {
      active: true;
      /** Undefined when Apicbase did not say (RFC 7662 makes both optional). */
      scopes: string[] | undefined;
      expiresAt: Date | undefined;
      clientId: string | undefined;
      username: string | undefined;
    };

export type Library = { id: number; name: string; status: string };
export type ActiveLibrary = Library & {
  user: { id: number; email: string; firstName: string; lastName: string };
};

export type AuthorizationRequest = {
  url: string;
  state: string;
  /** Keep server-side until the callback; absent when PKCE was switched off. */
  codeVerifier: string | undefined;
  redirectUri: string;
  scopes: string[];
};

export type RevocationResult = { outcome: "revoked" } | { outcome: "unsupported"; status: number };

const OAUTH_MAX_BYTES = 64 * 1024;
const API_MAX_BYTES = 1024 * 1024;
const MAX_LIBRARY_PAGES = 50;

export class ApicbaseClient {
  private readonly as: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** Per endpoint, when a 429's Retry-After ends: calls before then fail fast instead of hitting Apicbase. */
  private readonly blockedUntil = new Map<ApicbaseEndpointName, number>();

  constructor(private readonly options: ApicbaseClientOptions) {
    const { endpoints } = options;
    this.as = {
      issuer: new URL(endpoints.token).origin,
      authorization_endpoint: endpoints.authorize,
      token_endpoint: endpoints.token,
      introspection_endpoint: endpoints.introspect,
      revocation_endpoint: endpoints.revoke,
    };
    this.client = { client_id: options.clientId };
    this.auth =
      options.clientAuth === "client_secret_basic"
        ? oauth.ClientSecretBasic(options.clientSecret)
        : oauth.ClientSecretPost(options.clientSecret);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get clientId(): string {
    return this.options.clientId;
  }

  /** The URL to send the user to, with a fresh `state` and a PKCE S256 challenge. */
  async createAuthorizationRequest(args: {
    redirectUri: string;
    scopes: string[];
    state?: string;
    pkce?: boolean;
  }): Promise<AuthorizationRequest> {
    const state = args.state ?? oauth.generateRandomState();
    const url = new URL(this.options.endpoints.authorize);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", this.options.clientId);
    url.searchParams.set("redirect_uri", args.redirectUri);
    url.searchParams.set("scope", args.scopes.join(" "));
    url.searchParams.set("state", state);
    let codeVerifier: string | undefined;
    if (args.pkce !== false) {
      codeVerifier = oauth.generateRandomCodeVerifier();
      url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
      url.searchParams.set("code_challenge_method", "S256");
    }
    return { url: url.href, state, codeVerifier, redirectUri: args.redirectUri, scopes: args.scopes };
  }

  /** Reads the redirect back from Apicbase: the code, or a typed error (`access_denied`, state mismatch...). */
  parseAuthorizationResponse(input: URL | URLSearchParams | string, expectedState: string): { code: string } {
    const params =
      input instanceof URLSearchParams ? input : new URL(typeof input === "string" ? input : input.href).searchParams;
    try {
      const checked = oauth.validateAuthResponse(this.as, this.client, params, expectedState);
      const code = checked.get("code");
      if (!code) {
        throw new ApicbaseError({
          code: "invalid_response",
          endpoint: "authorize",
          message: "Apicbase redirected back without a code",
        });
      }
      return { code };
    } catch (error) {
      if (error instanceof ApicbaseError) throw error;
      if (error instanceof oauth.AuthorizationResponseError) {
        throw new ApicbaseError({
          code: "authorization_error",
          endpoint: "authorize",
          oauthError: error.error,
          description: error.error_description?.slice(0, 500),
          message: `Apicbase refused the authorization: ${error.error}`,
        });
      }
      if (error instanceof oauth.OperationProcessingError && /state/.test(error.message)) {
        throw new ApicbaseError({
          code: "state_mismatch",
          endpoint: "authorize",
          message: "the state returned by Apicbase does not match this sign-in attempt",
        });
      }
      throw new ApicbaseError({
        code: "invalid_response",
        endpoint: "authorize",
        message: "Apicbase's authorization response could not be read",
      });
    }
  }

  /** Exchanges an authorization code (from the redirect or pasted from Apicbase's out-of-band page). */
  async exchangeCode(args: {
    code: string;
    redirectUri: string;
    codeVerifier?: string;
    scopes?: string[];
  }): Promise<TokenSet> {
    const params = oauth.validateAuthResponse(
      this.as,
      this.client,
      new URLSearchParams({ code: args.code }),
      oauth.skipStateCheck,
    );
    const res = await this.oauthCall("token", (opts) =>
      oauth.authorizationCodeGrantRequest(
        this.as,
        this.client,
        this.auth,
        params,
        args.redirectUri,
        args.codeVerifier ?? oauth.nopkce,
        opts,
      ),
    );
    const tokens = await this.readTokenResponse(
      res,
      () => oauth.processAuthorizationCodeResponse(this.as, this.client, res),
      args.scopes,
    );
    if (!tokens.refreshToken) throw invalid("token", "Apicbase issued no refresh token", false);
    return { ...tokens, refreshToken: tokens.refreshToken };
  }

  /** Rotates the pair: the refresh token used here is dead afterwards, whatever happens to the answer. */
  async refresh(args: { refreshToken: string; scopes?: string[]; currentScopes?: string[] }): Promise<TokenSet> {
    const res = await this.oauthCall("token", (opts) =>
      oauth.refreshTokenGrantRequest(this.as, this.client, this.auth, args.refreshToken, {
        ...opts,
        additionalParameters: args.scopes ? { scope: args.scopes.join(" ") } : undefined,
      }),
    );
    const tokens = await this.readTokenResponse(
      res,
      () => oauth.processRefreshTokenResponse(this.as, this.client, res),
      args.scopes ?? args.currentScopes,
    );
    // RFC 6749 §6: a server may keep the refresh token; Apicbase always rotates, but keep the old one if it did not.
    return { ...tokens, refreshToken: tokens.refreshToken ?? args.refreshToken };
  }

  async introspect(accessToken: string): Promise<Introspection> {
    const res = await this.oauthCall(
      "introspect",
      (opts) => oauth.introspectionRequest(this.as, this.client, this.auth, accessToken, opts),
      // Older django-oauth-toolkit answers 401 {"active": false} for revoked or unknown tokens.
      (raw) => raw.status === 401 && /^\s*\{\s*"active"\s*:\s*false\s*\}\s*$/.test(raw.text()),
    );
    if (res.status === 401) return { active: false };
    let body: unknown;
    try {
      body = await oauth.processIntrospectionResponse(this.as, this.client, res);
    } catch {
      throw invalid("introspect", "Apicbase's introspection answer could not be read");
    }
    const parsed = introspectionResponse.safeParse(body);
    if (!parsed.success) throw invalid("introspect", "Apicbase's introspection answer is not in the expected shape");
    const data = parsed.data;
    if (!data.active) return { active: false };
    // Apicbase only reports the caller's own tokens as active; anything else is treated as inactive.
    if (data.client_id !== undefined && data.client_id !== this.options.clientId) return { active: false };
    return {
      active: true,
      scopes: data.scope !== undefined ? scopeList(data.scope) : undefined,
      expiresAt: data.exp !== undefined ? new Date(data.exp * 1000) : undefined,
      clientId: data.client_id,
      username: data.username,
    };
  }

  /** Revokes a token where Apicbase offers the (undocumented) endpoint; says so where it does not. */
  async revoke(token: string, hint: "access_token" | "refresh_token"): Promise<RevocationResult> {
    try {
      const res = await this.oauthCall("revoke", (opts) =>
        oauth.revocationRequest(this.as, this.client, this.auth, token, {
          ...opts,
          additionalParameters: { token_type_hint: hint },
        }),
      );
      await oauth.processRevocationResponse(res).catch(() => {
        throw invalid("revoke", "Apicbase's revocation answer could not be read");
      });
      return { outcome: "revoked" };
    } catch (error) {
      if (error instanceof ApicbaseError && error.code === "not_found" && error.status !== undefined) {
        return { outcome: "unsupported", status: error.status };
      }
      throw error;
    }
  }

  async getActiveLibrary(accessToken: string): Promise<ActiveLibrary> {
    const body = await this.apiGet(accessToken, new URL("accounts/libraries/active/", this.options.endpoints.api).href);
    const parsed = activeLibraryResponse.safeParse(body);
    if (!parsed.success) throw invalid("api", "Apicbase's active library answer is not in the expected shape");
    const { user, ...library } = parsed.data;
    return {
      ...library,
      user: { id: user.id, email: user.email, firstName: user.first_name, lastName: user.last_name },
    };
  }

  /** Every library the token's user can switch to (follows `next` pages on the API's own origin). */
  async getLibraries(accessToken: string): Promise<{ count: number; results: Library[] }> {
    const api = new URL(this.options.endpoints.api);
    let url: string | null = new URL("accounts/libraries/", api).href;
    const results: Library[] = [];
    let count = 0;
    for (let page = 0; url && page < MAX_LIBRARY_PAGES; page++) {
      const parsed = librariesPage.safeParse(await this.apiGet(accessToken, url));
      if (!parsed.success) throw invalid("api", "Apicbase's library list is not in the expected shape");
      count = parsed.data.count;
      results.push(...parsed.data.results);
      const next: string | null = parsed.data.next;
      url =
        next && URL.canParse(next, api) && new URL(next, api).origin === api.origin ? new URL(next, api).href : null;
    }
    return { count, results };
  }

  // --- plumbing ---

  private assertNotBlocked(endpoint: ApicbaseEndpointName) {
    const until = this.blockedUntil.get(endpoint);
    if (until === undefined) return;
    const remainingMs = until - this.now();
    if (remainingMs <= 0) {
      this.blockedUntil.delete(endpoint);
      return;
    }
    throw new ApicbaseError({
      code: "rate_limited",
      endpoint,
      retryAfterSeconds: Math.ceil(remainingMs / 1000),
      message: `Apicbase asked us to wait before calling its ${endpoint} endpoint again`,
    });
  }

  private transport(endpoint: ApicbaseEndpointName, maxBytes: number) {
    let last: BufferedResponse | undefined;
    const customFetch = async (url: string, init: oauth.CustomFetchOptions<string, unknown>) => {
      last = await send(
        endpoint,
        url,
        { method: init.method, headers: init.headers, body: init.body as BodyInit },
        {
          timeoutMs: this.timeoutMs,
          maxBytes,
          fetch: this.options.fetch,
        },
      );
      return toResponse(last);
    };
    return { customFetch, last: () => last };
  }

  /** Runs an oauth4webapi request through our transport and turns every non-200 answer into an ApicbaseError. */
  private async oauthCall(
    endpoint: ApicbaseEndpointName,
    request: (opts: oauth.TokenEndpointRequestOptions) => Promise<Response>,
    accept?: (raw: BufferedResponse) => boolean,
  ): Promise<Response> {
    this.assertNotBlocked(endpoint);
    const t = this.transport(endpoint, OAUTH_MAX_BYTES);
    const insecure = new URL(this.endpointUrl(endpoint)).protocol === "http:";
    const res = await request({ [oauth.customFetch]: t.customFetch, [oauth.allowInsecureRequests]: insecure });
    const raw = t.last() ?? { status: res.status, headers: res.headers, body: new Uint8Array(), text: () => "" };
    if (res.status === 200 || accept?.(raw)) return res;
    throw this.failure(endpoint, raw);
  }

  private endpointUrl(endpoint: ApicbaseEndpointName): string {
    const e = this.options.endpoints;
    return endpoint === "token"
      ? e.token
      : endpoint === "introspect"
        ? e.introspect
        : endpoint === "revoke"
          ? e.revoke
          : e.api;
  }

  private async apiGet(accessToken: string, url: string): Promise<unknown> {
    this.assertNotBlocked("api");
    const res = await send(
      "api",
      url,
      {
        method: "GET",
        headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      },
      { timeoutMs: this.timeoutMs, maxBytes: API_MAX_BYTES, fetch: this.options.fetch },
    );
    if (res.status !== 200) throw this.failure("api", res);
    try {
      return JSON.parse(res.text());
    } catch {
      throw invalid("api", "Apicbase's API answer is not JSON");
    }
  }

  private failure(endpoint: ApicbaseEndpointName, res: BufferedResponse): ApicbaseError {
    const status = res.status;
    const retryAfterSeconds = parseRetryAfter(res.headers.get("retry-after"), this.now());
    const label = `Apicbase ${endpoint} endpoint`;
    if (status === 429) {
      const wait = retryAfterSeconds ?? 60;
      this.blockedUntil.set(endpoint, this.now() + wait * 1000);
      return new ApicbaseError({
        code: "rate_limited",
        endpoint,
        status,
        retryAfterSeconds: wait,
        message: `${label} is rate limiting us (retry after ${wait} s)`,
      });
    }
    if (status >= 400 && status < 500 && endpoint !== "api") {
      let json: unknown;
      try {
        json = JSON.parse(res.text());
      } catch {
        json = undefined;
      }
      const body = oauthErrorBody.safeParse(json);
      if (body.success) {
        return new ApicbaseError({
          code: "oauth_error",
          endpoint,
          status,
          oauthError: body.data.error,
          description: body.data.error_description,
          message: `${label} answered ${status} ${body.data.error}`,
        });
      }
    }
    if (status >= 500) {
      if (status === 503 && retryAfterSeconds) this.blockedUntil.set(endpoint, this.now() + retryAfterSeconds * 1000);
      return new ApicbaseError({
        code: "server_error",
        endpoint,
        status,
        retryAfterSeconds,
        ambiguous: endpoint === "token" || endpoint === "revoke",
        message: `${label} failed with HTTP ${status}`,
      });
    }
    if (status >= 300 && status < 400) {
      return new ApicbaseError({
        code: "invalid_response",
        endpoint,
        status,
        message: `${label} answered with a redirect (HTTP ${status}), which the portal does not follow`,
      });
    }
    if (status === 401)
      return new ApicbaseError({
        code: "unauthorized",
        endpoint,
        status,
        message: `${label} did not accept the credentials (HTTP 401)`,
      });
    if (status === 403) {
      return new ApicbaseError({
        code: "forbidden",
        endpoint,
        status,
        message:
          endpoint === "introspect"
            ? `${label} refused the application's credentials (HTTP 403)`
            : `${label} refused: missing scope or permission (HTTP 403)`,
      });
    }
    if (status === 404 || status === 405)
      return new ApicbaseError({
        code: "not_found",
        endpoint,
        status,
        message: `${label} does not exist here (HTTP ${status})`,
      });
    return new ApicbaseError({
      code: "invalid_response",
      endpoint,
      status,
      ambiguous: endpoint === "token",
      message: `${label} answered with unexpected HTTP ${status}`,
    });
  }

  private async readTokenResponse(
    res: Response,
    process: () => Promise<oauth.TokenEndpointResponse>,
    requestedScopes: string[] | undefined,
  ): Promise<Omit<TokenSet, "refreshToken"> & { refreshToken: string | undefined }> {
    // Some proxies answer 200 with an OAuth error body: treat it as the error it names.
    const errorBody = oauthErrorBody.safeParse(
      await res
        .clone()
        .json()
        .catch(() => undefined),
    );
    if (errorBody.success) {
      throw new ApicbaseError({
        code: "oauth_error",
        endpoint: "token",
        status: 200,
        oauthError: errorBody.data.error,
        message: `Apicbase token endpoint answered 200 ${errorBody.data.error}`,
      });
    }
    let body: oauth.TokenEndpointResponse;
    try {
      body = await process();
    } catch {
      throw invalid("token", "Apicbase's token answer could not be read", true);
    }
    const parsed = tokenResponse.safeParse(body);
    if (!parsed.success) throw invalid("token", "Apicbase's token answer is not in the expected shape", true);
    const t = parsed.data;
    return {
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      tokenType: "bearer",
      expiresIn: t.expires_in,
      expiresAt: new Date(this.now() + t.expires_in * 1000),
      // RFC 6749 §5.1: no scope in the answer means the requested one.
      scopes: t.scope !== undefined ? scopeList(t.scope) : (requestedScopes ?? []),
    };
  }
}

function invalid(endpoint: ApicbaseEndpointName, message: string, ambiguous = false) {
  return new ApicbaseError({ code: "invalid_response", endpoint, message, ambiguous });
}
