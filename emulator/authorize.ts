/** GET/POST /oauth/authorize/: oauthlib's validate_authorization_request and DOT's AuthorizationView. */
import { ALL_SCOPES } from "../lib/sandbox";
import { csrfFailure, csrfToken, currentUser, redirectToLogin } from "./accounts";
import { html, methodNotAllowed, redirect, type EmulatorResponse, type Params, type RequestContext } from "./http";
import { authorizeErrorPage, consentPage, oobCodePage } from "./pages";
import { OOB_REDIRECT_URI } from "./seed";
import type { Application, EmulatorState, User } from "./state";
import { addParamsToUri, appendQuery, isAbsoluteUri, redirectUriAllowed, type Pair } from "./uri";

type Validation =
  | { kind: "fatal"; description: string }
  | { kind: "error"; redirectUri: string; error: string; description?: string; state: string }
  | {
      kind: "ok";
      app: Application;
      redirectUri: string;
      scopes: string[];
      state: string;
      responseType: string;
      codeChallenge: string | null;
      codeChallengeMethod: string | null;
    };

// Response types oauthlib's OpenID server routes to another grant, which DOT then refuses for these applications.
const OTHER_GRANT_RESPONSE_TYPES = new Set([
  "token",
  "none",
  "id_token",
  "id_token token",
  "code id_token",
  "code token",
  "code id_token token",
]);
const PKCE_METHODS = new Set(["plain", "S256"]);
const KNOWN_SCOPES = new Set<string>(ALL_SCOPES);

/**
 * In oauthlib's order: fatal errors (no redirect) first, then errors reported to the redirect URI. `source` is the
 * authorize URL's query or the posted consent form, whose empty PKCE fields DOT treats as absent.
 */
function validate(params: Params, state: EmulatorState, source: "query" | "form"): Validation {
  if (source === "query") {
    for (const name of ["client_id", "response_type", "redirect_uri", "scope", "state"]) {
      if (params.count(name) > 1) return { kind: "fatal", description: `Duplicate ${name} parameter.` };
    }
  }
  const clientId = params.get("client_id");
  if (!clientId) return { kind: "fatal", description: "Missing client_id parameter." };
  const app = state.applications.get(clientId);
  if (!app) return { kind: "fatal", description: "Invalid client_id parameter value." };

  let redirectUri = params.get("redirect_uri");
  if (redirectUri !== null) {
    if (!isAbsoluteUri(redirectUri)) return { kind: "fatal", description: "Invalid redirect URI." };
    if (!redirectUriAllowed(redirectUri, app.redirectUris))
      return { kind: "fatal", description: "Mismatching redirect URI." };
  } else {
    // DOT has a default only when exactly one URI is registered.
    const [only, ...others] = app.redirectUris;
    if (only === undefined || others.length > 0) return { kind: "fatal", description: "Missing redirect URI." };
    redirectUri = only;
  }

  const stateParam = params.get("state") ?? "";
  const fail = (error: string, description?: string): Validation => ({
    kind: "error",
    redirectUri,
    error,
    description,
    state: stateParam,
  });

  const responseType = params.get("response_type");
  if (responseType === null) return fail("invalid_request", "Missing response_type parameter.");
  if (responseType !== "code") {
    const otherGrant = OTHER_GRANT_RESPONSE_TYPES.has(responseType) || responseType.includes("code");
    return fail(otherGrant ? "unauthorized_client" : "unsupported_response_type");
  }

  const fromForm = (value: string | null) => (source === "form" ? value || null : value);
  const codeChallenge = fromForm(params.get("code_challenge"));
  let codeChallengeMethod: string | null = null;
  if (codeChallenge !== null) {
    codeChallengeMethod = fromForm(params.get("code_challenge_method")) ?? "plain";
    if (!PKCE_METHODS.has(codeChallengeMethod)) return fail("invalid_request", "Transform algorithm not supported.");
  }

  const scope = params.get("scope");
  // Python's scope.strip().split(" "): an empty or doubled space yields an empty scope, which is invalid.
  const scopes = scope === null ? [...app.scopes] : scope.trim().split(" ");
  if (!scopes.every((s) => KNOWN_SCOPES.has(s) && (app.scopes as string[]).includes(s))) return fail("invalid_scope");

  return {
    kind: "ok",
    app,
    redirectUri,
    scopes,
    state: stateParam,
    responseType,
    codeChallenge: codeChallenge || null,
    codeChallengeMethod: codeChallenge ? codeChallengeMethod : null,
  };
}

function errorPairs(error: string, description: string | undefined, state: string): Pair[] {
  const pairs: Pair[] = [["error", error]];
  if (description) pairs.push(["error_description", description]);
  if (state) pairs.push(["state", state]);
  return pairs;
}

/**
 * Reports an error to the client. DOT appends to the URI as it is (`?` or `&`) for errors raised by its view, while
 * oauthlib's own redirects (errors found while issuing the code) re-encode the query. Out-of-band apps get a page.
 */
function errorResponse(
  v: { redirectUri: string; error: string; description?: string; state: string },
  style: "append" | "oauthlib",
  state: EmulatorState,
): EmulatorResponse {
  state.countError(v.error);
  if (v.redirectUri.startsWith(OOB_REDIRECT_URI)) return html(200, authorizeErrorPage(v.error, v.description ?? ""));
  const pairs = errorPairs(v.error, v.description, v.state);
  return redirect(style === "append" ? appendQuery(v.redirectUri, pairs) : addParamsToUri(v.redirectUri, pairs));
}

function fatalResponse(description: string, state: EmulatorState): EmulatorResponse {
  state.countError("invalid_request");
  return html(400, authorizeErrorPage("invalid_request", description));
}

export function handleAuthorize(ctx: RequestContext, state: EmulatorState): EmulatorResponse {
  // LoginRequiredMixin runs before anything is validated.
  const user = currentUser(ctx, state);
  if (!user) return redirectToLogin(ctx);

  if (ctx.method === "GET" || ctx.method === "HEAD") {
    const v = validate(ctx.query, state, "query");
    if (v.kind === "fatal") return fatalResponse(v.description, state);
    if (v.kind === "error") return errorResponse(v, "append", state);
    // DOT skips the consent page for approval_prompt=auto when the user already gave this app these scopes.
    if (ctx.query.get("approval_prompt") === "auto" && hasLiveGrant(state, user, v.app, v.scopes))
      return issueCode(v, user, state);
    const csrf = csrfToken(ctx);
    const page = consentPage({
      applicationName: v.app.name,
      user: {
        name: `${user.firstName} ${user.lastName}`.trim(),
        email: user.email,
        activeLibrary: state.libraries.get(user.activeLibrary) ?? null,
      },
      // "Not you?": log out and come back to this very approval, which then asks for a login.
      logoutUrl: `/accounts/logout/?next=${encodeURIComponent(ctx.rawUrl)}`,
      scopes: v.scopes,
      csrfToken: csrf.token,
      fields: {
        redirect_uri: v.redirectUri,
        scope: v.scopes.join(" "),
        nonce: "",
        client_id: v.app.clientId,
        state: v.state,
        response_type: v.responseType,
        code_challenge: v.codeChallenge ?? "",
        code_challenge_method: v.codeChallengeMethod ?? "",
      },
    });
    return html(200, page, csrf.cookie ? { "Set-Cookie": csrf.cookie } : {});
  }

  if (ctx.method !== "POST") return methodNotAllowed(["GET", "POST", "HEAD", "OPTIONS"]);
  const rejected = csrfFailure(ctx);
  if (rejected) return rejected;

  // The consent form's fields are validated again: they came back from the browser.
  const v = validate(ctx.form, state, "form");
  if (v.kind === "fatal") return fatalResponse(v.description, state);
  // Django's BooleanField: absent, empty or "false" means Cancel.
  const allow = ctx.form.get("allow");
  if (allow === null || allow === "" || allow.toLowerCase() === "false") {
    return errorResponse(
      { redirectUri: v.redirectUri, error: "access_denied", state: ctx.form.get("state") ?? "" },
      "append",
      state,
    );
  }
  if (v.kind === "error") return errorResponse(v, "oauthlib", state);

  return issueCode(v, user, state);
}

function hasLiveGrant(state: EmulatorState, user: User, app: Application, scopes: string[]): boolean {
  const now = state.now();
  return [...state.accessTokens.values()].some(
    (access) =>
      access.userId === user.id &&
      access.clientId === app.clientId &&
      access.expiresAt > now &&
      scopes.every((s) => access.scopes.includes(s)),
  );
}

function issueCode(v: Extract<Validation, { kind: "ok" }>, user: User, state: EmulatorState): EmulatorResponse {
  const code = state.createCode({
    clientId: v.app.clientId,
    userId: user.id,
    redirectUri: v.redirectUri,
    scopes: v.scopes,
    codeChallenge: v.codeChallenge,
    codeChallengeMethod: v.codeChallengeMethod,
  });
  if (v.redirectUri.startsWith(OOB_REDIRECT_URI)) return html(200, oobCodePage(code.code));
  const pairs: Pair[] = [["code", code.code]];
  if (v.state) pairs.push(["state", v.state]);
  return redirect(addParamsToUri(v.redirectUri, pairs));
}
