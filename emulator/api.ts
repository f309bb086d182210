/** The REST API under /api/v2/, answering like Django REST framework with DOT's OAuth2Authentication. */
import { json, type EmulatorResponse, type RequestContext } from "./http";
import type { AccessToken, EmulatorState, User } from "./state";

export const API_PATHS = {
  root: "/api/v2/",
  activeLibrary: "/api/v2/accounts/libraries/active/",
  libraries: "/api/v2/accounts/libraries/",
  ingredients: "/api/v2/products/ingredients/",
} as const;

const INGREDIENT_PATH = /^\/api\/v2\/products\/ingredients\/(\d+)\/$/;

const DRF_HEADERS = { Vary: "Accept", Allow: "GET, HEAD, OPTIONS" };

export function throttledResponse(wait: number): EmulatorResponse {
  const detail = `Request was throttled. Expected available in ${wait} second${wait === 1 ? "" : "s"}.`;
  return json(429, { detail }, { ...DRF_HEADERS, "Retry-After": String(wait) });
}

/** oauthlib's get_token_from_header, falling back to an access_token parameter when there is no header. */
function bearerToken(ctx: RequestContext): string | null {
  const header = ctx.headers.authorization;
  if (header === undefined) return ctx.query.get("access_token") ?? ctx.form.get("access_token");
  const parts = header.trim().split(/\s+/);
  return parts.length === 2 && parts[0]?.toLowerCase() === "bearer" ? (parts[1] ?? null) : null;
}

function notAuthenticated(challenge: string): EmulatorResponse {
  return json(
    401,
    { detail: "Authentication credentials were not provided." },
    { ...DRF_HEADERS, "WWW-Authenticate": challenge },
  );
}

type Authenticated = { access: AccessToken; user: User };

/** DRF's order: authentication, then permission (scope), then throttling. */
function authenticate(ctx: RequestContext, state: EmulatorState, scope: string): Authenticated | EmulatorResponse {
  const token = bearerToken(ctx);
  if (!token) return notAuthenticated('Bearer realm="api"');
  const stored = state.accessTokens.get(token);
  const access = state.liveAccessToken(token);
  const user = access ? state.userById(access.userId) : undefined;
  if (!access || !user) {
    const description = stored ? "The access token has expired." : "The access token is invalid.";
    return notAuthenticated(`Bearer realm="api",error="invalid_token",error_description="${description}"`);
  }
  if (!access.scopes.includes(scope)) {
    return json(403, { detail: "You do not have permission to perform this action." }, DRF_HEADERS);
  }
  const wait = state.throttle(access.clientId);
  if (wait !== null) return throttledResponse(wait);
  return { access, user };
}

function libraryView(state: EmulatorState, id: number) {
  const library = state.libraries.get(id);
  return { id, name: library?.name ?? "", status: library?.status ?? "active" };
}

const notFound = () => json(404, { detail: "Not found." }, DRF_HEADERS);

export function handleApi(ctx: RequestContext, state: EmulatorState): EmulatorResponse {
  if (ctx.path === API_PATHS.ingredients || INGREDIENT_PATH.test(ctx.path)) return handleIngredients(ctx, state);
  if (ctx.path !== API_PATHS.activeLibrary && ctx.path !== API_PATHS.libraries) {
    const auth = authenticate(ctx, state, "accounts");
    return "status" in auth ? auth : notFound();
  }
  const auth = authenticate(ctx, state, "accounts");
  if ("status" in auth) return auth;
  if (ctx.method !== "GET" && ctx.method !== "HEAD") {
    return json(405, { detail: `Method "${ctx.method}" not allowed.` }, DRF_HEADERS);
  }
  const { user } = auth;
  if (ctx.path === API_PATHS.activeLibrary) {
    return json(
      200,
      {
        ...libraryView(state, user.activeLibrary),
        user: { id: user.id, email: user.email, first_name: user.firstName, last_name: user.lastName },
      },
      DRF_HEADERS,
    );
  }
  const results = user.libraries.map((id) => libraryView(state, id));
  return json(200, { count: results.length, next: null, previous: null, results }, DRF_HEADERS);
}

const INGREDIENT_HEADERS = { ...DRF_HEADERS, Allow: "GET, POST, HEAD, OPTIONS" };

/** The active library's ingredients (scope `library`): list and create, and one by id. */
function handleIngredients(ctx: RequestContext, state: EmulatorState): EmulatorResponse {
  const auth = authenticate(ctx, state, "library");
  if ("status" in auth) return auth;
  const libraryId = auth.user.activeLibrary;
  const ingredients = state.ingredients.get(libraryId) ?? [];
  const one = INGREDIENT_PATH.exec(ctx.path);
  if (one) {
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      return json(405, { detail: `Method "${ctx.method}" not allowed.` }, DRF_HEADERS);
    }
    const ingredient = ingredients.find((item) => item.id === Number(one[1]));
    return ingredient ? json(200, ingredient, DRF_HEADERS) : notFound();
  }
  if (ctx.method === "GET" || ctx.method === "HEAD") {
    const search = ctx.query.get("search")?.toLowerCase();
    const results = search ? ingredients.filter((item) => item.name.toLowerCase().includes(search)) : ingredients;
    return json(200, { count: results.length, next: null, previous: null, results }, INGREDIENT_HEADERS);
  }
  if (ctx.method !== "POST") return json(405, { detail: `Method "${ctx.method}" not allowed.` }, INGREDIENT_HEADERS);
  if (!(ctx.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) {
    return json(
      415,
      { detail: `Unsupported media type "${ctx.headers["content-type"] ?? ""}" in request.` },
      DRF_HEADERS,
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(ctx.body.toString("utf8"));
  } catch {
    return json(400, { detail: "JSON parse error." }, DRF_HEADERS);
  }
  const { name, unit } = (input ?? {}) as { name?: unknown; unit?: unknown };
  if (typeof name !== "string" || !name.trim()) return json(400, { name: ["This field is required."] }, DRF_HEADERS);
  const created = state.addIngredient(
    libraryId,
    name.trim().slice(0, 200),
    typeof unit === "string" && unit ? unit : "kg",
  );
  return json(201, created, DRF_HEADERS);
}
