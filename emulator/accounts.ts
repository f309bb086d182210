/** Django's web login: sessions, the CSRF cookie, LoginView and LogoutView. */
import { html, methodNotAllowed, redirect, setCookie, type EmulatorResponse, type RequestContext } from "./http";
import { CSRF_FAILURE_PAGE, loggedOutPage, loginPage } from "./pages";
import { generateToken, type EmulatorState, type User } from "./state";
import { quote } from "./uri";

export const LOGIN_PATH = "/accounts/login/";
const SESSION_COOKIE = "sessionid";
const CSRF_COOKIE = "csrftoken";
const SESSION_AGE = 1_209_600; // two weeks, Django's SESSION_COOKIE_AGE
const CSRF_AGE = 31_449_600; // a year, Django's CSRF_COOKIE_AGE

export function currentUser(ctx: RequestContext, state: EmulatorState): User | undefined {
  const sessionId = ctx.cookies.get(SESSION_COOKIE);
  const userId = sessionId ? state.sessions.get(sessionId) : undefined;
  return userId === undefined ? undefined : state.userById(userId);
}

/** The CSRF token for a form: the browser's cookie when it holds a well-formed one, else a new cookie. */
export function csrfToken(ctx: RequestContext): { token: string; cookie?: string } {
  const existing = ctx.cookies.get(CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9]{32}([A-Za-z0-9]{32})?$/.test(existing)) return { token: existing };
  const token = generateToken(32);
  return { token, cookie: setCookie(CSRF_COOKIE, token, { maxAge: CSRF_AGE }) };
}

/** Lenient on purpose: only a form token that contradicts the cookie is refused. */
export function csrfFailure(ctx: RequestContext): EmulatorResponse | null {
  const cookie = ctx.cookies.get(CSRF_COOKIE);
  const field = ctx.form.get("csrfmiddlewaretoken");
  return cookie && field && cookie !== field ? html(403, CSRF_FAILURE_PAGE) : null;
}

/** Django's redirect_to_login: the full path (with query) in `next`. */
export function redirectToLogin(ctx: RequestContext): EmulatorResponse {
  return redirect(`${LOGIN_PATH}?next=${quote(ctx.rawUrl, "/")}`);
}

/** Django's url_has_allowed_host_and_scheme, reduced to what matters here: same-origin targets only. */
function safeNext(next: string, host: string | undefined): string {
  const target = next.trim();
  if (!target || /[\u0000-\u001f\\]/.test(target)) return "/";
  if (target.startsWith("/") && !target.startsWith("//")) return target;
  try {
    const url = new URL(target);
    if ((url.protocol === "http:" || url.protocol === "https:") && host && url.host === host) return target;
  } catch {
    // not an absolute URL
  }
  return "/";
}

function renderLogin(ctx: RequestContext, args: { next: string; username: string; failed: boolean }): EmulatorResponse {
  const csrf = csrfToken(ctx);
  return html(200, loginPage({ csrfToken: csrf.token, ...args }), csrf.cookie ? { "Set-Cookie": csrf.cookie } : {});
}

export function handleLogin(ctx: RequestContext, state: EmulatorState): EmulatorResponse {
  if (ctx.method === "GET" || ctx.method === "HEAD") {
    return renderLogin(ctx, { next: ctx.query.get("next") ?? "", username: "", failed: false });
  }
  if (ctx.method !== "POST") return methodNotAllowed(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
  const rejected = csrfFailure(ctx);
  if (rejected) return rejected;

  const username = ctx.form.get("username") ?? "";
  const password = ctx.form.get("password") ?? "";
  const next = ctx.form.get("next") ?? ctx.query.get("next") ?? "";
  const user = state.userByEmail(username);
  if (!user || user.password !== password) return renderLogin(ctx, { next, username, failed: true });

  // Like django.contrib.auth.login: a fresh session key and a rotated CSRF token.
  const previous = ctx.cookies.get(SESSION_COOKIE);
  if (previous) state.sessions.delete(previous);
  const sessionId = generateToken(32).toLowerCase();
  state.sessions.set(sessionId, user.id);
  return redirect(safeNext(next, ctx.headers.host), {
    "Set-Cookie": [
      setCookie(CSRF_COOKIE, generateToken(32), { maxAge: CSRF_AGE }),
      setCookie(SESSION_COOKIE, sessionId, { httpOnly: true, maxAge: SESSION_AGE }),
    ],
  });
}

export function handleLogout(ctx: RequestContext, state: EmulatorState): EmulatorResponse {
  if (ctx.method !== "GET" && ctx.method !== "POST" && ctx.method !== "HEAD") return methodNotAllowed(["GET", "POST"]);
  const rejected = ctx.method === "POST" ? csrfFailure(ctx) : null;
  if (rejected) return rejected;
  const sessionId = ctx.cookies.get(SESSION_COOKIE);
  if (sessionId) state.sessions.delete(sessionId);
  const clear = { "Set-Cookie": setCookie(SESSION_COOKIE, '""', { httpOnly: true, maxAge: 0 }) };
  const next = ctx.form.get("next") ?? ctx.query.get("next");
  if (next) return redirect(safeNext(next, ctx.headers.host), clear);
  return html(200, loggedOutPage(), clear);
}
