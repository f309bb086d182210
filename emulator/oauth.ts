/** The token, introspection and revocation endpoints: oauthlib's grant validation with DOT's validator. */
import { createHash, timingSafeEqual } from "node:crypto";
import { HTML, methodNotAllowed, Params, pythonJson, type EmulatorResponse, type RequestContext } from "./http";
import type { Application, EmulatorState, TokenPair } from "./state";
import { unquotePlus } from "./uri";

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: "Bearer";
  scope: string;
  refresh_token: string;
}

const NO_STORE = { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" };

class OAuthError {
  constructor(
    readonly error: string,
    readonly description?: string,
    readonly status = 400,
  ) {}
}

function errorResponse(e: OAuthError): EmulatorResponse {
  const body: Record<string, string> = { error: e.error };
  if (e.description) body.error_description = e.description;
  const headers: Record<string, string> = { ...NO_STORE };
  if (e.status === 401) headers["WWW-Authenticate"] = `Bearer error="${e.error}"`;
  return { status: e.status, headers, body: pythonJson(body) };
}

export function tokenResponseBody(pair: TokenPair, expiresIn: number): TokenResponse {
  return {
    access_token: pair.access.token,
    expires_in: expiresIn,
    token_type: "Bearer",
    scope: pair.access.scopes.join(" "),
    refresh_token: pair.refresh.token,
  };
}

function secretMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * DOT's authenticate_client: HTTP Basic first, then client_id/client_secret from the parameters. As in DOT, an
 * application found through the Basic header stays the one the body's secret is checked against.
 */
export function authenticateClient(ctx: RequestContext, params: Params, state: EmulatorState): Application | null {
  let loaded: Application | undefined;
  const header = ctx.headers.authorization;
  const space = header ? header.indexOf(" ") : -1;
  if (header && space >= 0 && header.slice(0, space) === "Basic") {
    try {
      const decoded = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(header.slice(space + 1), "base64"));
      const colon = decoded.indexOf(":");
      if (colon >= 0) {
        loaded = state.applications.get(unquotePlus(decoded.slice(0, colon)));
        if (loaded && secretMatches(unquotePlus(decoded.slice(colon + 1)), loaded.clientSecret)) return loaded;
      }
    } catch {
      // not UTF-8: Basic authentication fails, the body may still authenticate
    }
  }
  const clientId = params.get("client_id");
  const app = loaded ?? (clientId === null ? undefined : state.applications.get(clientId));
  if (!app) return null;
  return secretMatches(params.get("client_secret"), app.clientSecret) ? app : null;
}

function requireClient(ctx: RequestContext, state: EmulatorState): Application {
  const app = authenticateClient(ctx, ctx.form, state);
  if (!app) throw new OAuthError("invalid_client", undefined, 401);
  return app;
}

function pkceMatches(method: string | null, challenge: string, verifier: string): boolean {
  if (method === "S256") return createHash("sha256").update(verifier, "utf8").digest("base64url") === challenge;
  return verifier === challenge;
}

function authorizationCodeGrant(ctx: RequestContext, state: EmulatorState): TokenPair {
  const form = ctx.form;
  const codeValue = form.get("code");
  if (codeValue === null) throw new OAuthError("invalid_request", "Missing code parameter.");
  for (const name of ["client_id", "grant_type", "redirect_uri"]) {
    if (form.count(name) > 1) throw new OAuthError("invalid_request", `Duplicate ${name} parameter.`);
  }
  const app = requireClient(ctx, state);

  const code = state.codes.get(codeValue);
  if (!code || code.clientId !== app.clientId || state.now() >= code.expiresAt) throw new OAuthError("invalid_grant");

  if (code.codeChallenge) {
    const verifier = form.get("code_verifier");
    if (!verifier) throw new OAuthError("invalid_request", "Code verifier required.");
    if (!pkceMatches(code.codeChallengeMethod, code.codeChallenge, verifier)) throw new OAuthError("invalid_grant");
  }

  let redirectUri = form.get("redirect_uri");
  if (redirectUri === null) {
    const [only, ...others] = app.redirectUris;
    if (only === undefined || others.length > 0) throw new OAuthError("invalid_request", "Missing redirect URI.");
    redirectUri = only;
  }
  if (redirectUri !== code.redirectUri) throw new OAuthError("invalid_request", "Mismatching redirect URI.");

  // Consumed in the same synchronous step that validated it: a concurrent request finds no code.
  state.codes.delete(code.code);
  return state.issueTokenPair(app.clientId, code.userId, code.scopes);
}

function refreshTokenGrant(ctx: RequestContext, state: EmulatorState): TokenPair {
  const value = ctx.form.get("refresh_token");
  if (value === null) throw new OAuthError("invalid_request", "Missing refresh token parameter.");
  const app = requireClient(ctx, state);
  const refresh = state.liveRefreshToken(value);
  if (!refresh || refresh.clientId !== app.clientId) throw new OAuthError("invalid_grant");

  // A scope may narrow the grant, never widen it.
  const scope = ctx.form.get("scope");
  const scopes = scope ? scope.trim().split(" ") : refresh.scopes;
  if (!scopes.every((s) => refresh.scopes.includes(s))) throw new OAuthError("invalid_scope");
  return state.refresh(refresh, scopes);
}

function passwordGrant(ctx: RequestContext, state: EmulatorState): never {
  requireClient(ctx, state);
  for (const name of ["username", "password"]) {
    if (!ctx.form.get(name)) throw new OAuthError("invalid_request", `Request is missing ${name} parameter.`);
  }
  const user = state.userByEmail(ctx.form.get("username") ?? "");
  if (!user || user.password !== ctx.form.get("password"))
    throw new OAuthError("invalid_grant", "Invalid credentials given.");
  throw new OAuthError("unauthorized_client");
}

export function handleToken(ctx: RequestContext, state: EmulatorState): EmulatorResponse {
  if (ctx.method !== "POST") return methodNotAllowed(["POST", "OPTIONS"]);
  const grantType = ctx.form.get("grant_type");
  const tally =
    grantType === "authorization_code" || grantType === "refresh_token" ? state.stats.token_grants[grantType] : null;
  try {
    if (ctx.rawQuery) throw new OAuthError("invalid_request", "URL query parameters are not allowed");
    let pair: TokenPair;
    switch (grantType) {
      case "authorization_code":
        pair = authorizationCodeGrant(ctx, state);
        break;
      case "refresh_token":
        pair = refreshTokenGrant(ctx, state);
        break;
      case "password":
        passwordGrant(ctx, state);
        break;
      case "client_credentials":
        requireClient(ctx, state);
        throw new OAuthError("unauthorized_client");
      default:
        // oauthlib hands unknown grant types to the authorization-code grant, which refuses them before client auth.
        throw new OAuthError("unsupported_grant_type");
    }
    if (tally) tally.ok++;
    if (grantType === "refresh_token") {
      ctx.refreshEntry = state.logRefresh({
        received: ctx.receivedAt ?? state.now(),
        at: state.now(),
        caller: ctx.caller ?? null,
        used: ctx.form.get("refresh_token") ?? "",
        issued: pair.refresh.token,
        error: null,
        answer: "sent",
      });
    }
    const body = tokenResponseBody(pair, state.settings.access_token_lifetime_seconds);
    return { status: 200, headers: { ...NO_STORE }, body: pythonJson({ ...body }) };
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    if (tally) tally.error++;
    state.countError(error.error);
    const used = ctx.form.get("refresh_token");
    if (grantType === "refresh_token" && used !== null) {
      ctx.refreshEntry = state.logRefresh({
        received: ctx.receivedAt ?? state.now(),
        at: state.now(),
        caller: ctx.caller ?? null,
        used,
        issued: null,
        error: error.error,
        answer: "sent",
      });
    }
    return errorResponse(error);
  }
}

/** DOT's IntrospectTokenView, restricted (as Apicbase documents) to the calling client's own access tokens. */
export function handleIntrospect(ctx: RequestContext, state: EmulatorState): EmulatorResponse {
  if (ctx.method !== "GET" && ctx.method !== "POST") return methodNotAllowed(["GET", "POST", "OPTIONS"]);
  // oauthlib reads parameters from the query and the body alike.
  const app = authenticateClient(ctx, new Params([...ctx.query.pairs, ...ctx.form.pairs]), state);
  if (!app) return { status: 403, headers: { "Content-Type": HTML }, body: "" };

  const token = ctx.method === "POST" ? ctx.form.get("token") : ctx.query.get("token");
  const access = token ? state.liveAccessToken(token) : undefined;
  const user = access ? state.userById(access.userId) : undefined;
  const body: Record<string, string | number | boolean> =
    access && user && access.clientId === app.clientId
      ? {
          active: true,
          scope: access.scopes.join(" "),
          exp: Math.floor(access.expiresAt / 1000),
          client_id: access.clientId,
          username: user.email,
        }
      : { active: false };
  return { status: 200, headers: { "Content-Type": "application/json" }, body: pythonJson(body) };
}

/** oauthlib's RevocationEndpoint with DOT's revoke_token, limited to the calling client's tokens. */
export function handleRevoke(ctx: RequestContext, state: EmulatorState): EmulatorResponse {
  if (ctx.method !== "POST") return methodNotAllowed(["POST", "OPTIONS"]);
  try {
    if (ctx.rawQuery) throw new OAuthError("invalid_request", "URL query parameters are not allowed");
    const token = ctx.form.get("token");
    if (!token) throw new OAuthError("invalid_request", "Missing token parameter.");
    const app = requireClient(ctx, state);

    const revokeAccess = () => {
      const access = state.accessTokens.get(token);
      if (!access || access.clientId !== app.clientId) return false;
      state.revokeAccessToken(access);
      return true;
    };
    const revokeRefresh = () => {
      const refresh = state.refreshTokens.get(token);
      if (!refresh || refresh.clientId !== app.clientId) return false;
      state.revokeRefreshToken(refresh);
      return true;
    };
    const order =
      ctx.form.get("token_type_hint") === "refresh_token"
        ? [revokeRefresh, revokeAccess]
        : [revokeAccess, revokeRefresh];
    order.some((revoke) => revoke());
    return { status: 200, headers: { "Content-Type": HTML }, body: "" };
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    state.countError(error.error);
    return errorResponse(error);
  }
}
