/** The HTML pages, shaped like Django's and django-oauth-toolkit's stock templates. Every value is escaped. */
import { escapeHtml as e } from "./http";
import type { Library, User } from "./state";

/** The emulator's tab icon: an amber "A" (for Apicbase) with a dashed ring (for "only a stand-in"). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<circle cx="16" cy="16" r="14" fill="#fde68a" stroke="#92400e" stroke-width="2" stroke-dasharray="4 2"/>
<path d="M10 23 16 8l6 15M12.4 17.5h7.2" fill="none" stroke="#78350f" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
`;

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  accounts: "Read your user account and your libraries",
  library: "Read and change your library (recipes, ingredients, menus)",
  inventory: "Read and change your stock",
  procurement: "Read and change your orders and suppliers",
  sales: "Read and change your sales data",
  media: "Read and upload images and files",
};

function layout(title: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1f2933}
.banner{font-size:.8rem;color:#52606d;border-bottom:1px solid #d9e2ec;padding-bottom:.5rem;margin-bottom:1.5rem}
label{display:block;margin-top:.75rem}input[type=text],input[type=password]{width:100%;padding:.4rem}
input[type=submit]{margin-top:1rem;padding:.4rem 1rem}.errornote{color:#b42318}code{font-size:1.4rem}
.who{background:#f0f4f8;border:1px solid #d9e2ec;border-radius:.4rem;padding:.6rem .8rem}
</style>
</head>
<body>
<div class="banner">Apicbase emulator (local test server, not Apicbase)</div>
${content}
</body>
</html>
`;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${e(name)}" id="id_${e(name)}" value="${e(value)}">`;
}

export function loginPage(args: { csrfToken: string; next: string; username: string; failed: boolean }): string {
  const error = args.failed
    ? `<p class="errornote">Please enter a correct username and password. Note that both fields may be case-sensitive.</p>\n`
    : "";
  return layout(
    "Log in | Apicbase",
    `<h1>Log in</h1>
${error}<form method="post" action="/accounts/login/" id="login-form">
${hidden("csrfmiddlewaretoken", args.csrfToken)}
<label for="id_username">Username:</label>
<input type="text" name="username" id="id_username" value="${e(args.username)}" autofocus autocapitalize="none" autocomplete="username" maxlength="254" required>
<label for="id_password">Password:</label>
<input type="password" name="password" id="id_password" autocomplete="current-password" required>
${hidden("next", args.next)}
<input type="submit" value="Log in">
</form>`,
  );
}

export interface ConsentFields {
  redirect_uri: string;
  scope: string;
  nonce: string;
  client_id: string;
  state: string;
  response_type: string;
  code_challenge: string;
  code_challenge_method: string;
}

export function consentPage(args: {
  applicationName: string;
  scopes: string[];
  fields: ConsentFields;
  csrfToken: string;
  user: { name: string; email: string; activeLibrary: Library | null };
  logoutUrl: string;
}): string {
  const fields = Object.entries(args.fields)
    .map(([name, value]) => hidden(name, value))
    .join("\n");
  const scopes = args.scopes
    .map((scope) => `<li>${e(SCOPE_DESCRIPTIONS[scope] ?? scope)} (${e(scope)})</li>`)
    .join("\n");
  return layout(
    "Authorize | Apicbase",
    `<div class="block-center">
<form id="authorizationForm" method="post">
<h3 class="block-center-heading">Authorize ${e(args.applicationName)}?</h3>
<p class="who">You approve as <strong>${e(args.user.name || args.user.email)}</strong> (${e(args.user.email)})${
      args.user.activeLibrary
        ? `, for your active library <strong>${e(args.user.activeLibrary.name)}</strong> (${args.user.activeLibrary.id})`
        : ""
    }. Not you? <a href="${e(args.logoutUrl)}">Log out</a> and log in as the library's user.</p>
${hidden("csrfmiddlewaretoken", args.csrfToken)}
${fields}
<p>Application requires the following permissions</p>
<ul>
${scopes}
</ul>
<div class="control-group">
<div class="controls">
<input type="submit" class="btn btn-large" value="Cancel"/>
<input type="submit" class="btn btn-large btn-primary" name="allow" value="Authorize"/>
</div>
</div>
</form>
</div>`,
  );
}

/**
 * DOT's authorize.html in its error branch (fatal errors: no redirect). Also the out-of-band application's errors,
 * which the emulator answers with this page and status 200 where stock DOT fails with a 500.
 */
export function authorizeErrorPage(error: string, description: string): string {
  return layout(
    "Authorize | Apicbase",
    `<div class="block-center">
<h2>Error: ${e(error)}</h2>
<p>${e(description)}</p>
</div>`,
  );
}

/** DOT's authorized-oob.html: the code for an application without a redirect URL. */
export function oobCodePage(code: string): string {
  return layout(
    `Success code=${e(code)}`,
    `<div class="block-center">
<h2>Success</h2>
<p>Please return to your application and enter this code:</p>
<p><code>${e(code)}</code></p>
</div>`,
  );
}

export function loggedOutPage(): string {
  return layout(
    "Logged out | Apicbase",
    `<h1>Logged out</h1>\n<p>Thanks for spending some quality time with the web site today.</p>\n<p><a href="/accounts/login/">Log in again</a></p>`,
  );
}

export function indexPage(user?: User): string {
  const session = user
    ? `<p class="who">Logged in as <strong>${e(user.email)}</strong>. <a href="/accounts/logout/?next=/">Log out</a></p>`
    : `<p class="who">Not logged in. <a href="/accounts/login/?next=/">Log in</a></p>`;
  return layout(
    "Apicbase emulator",
    `<h1>Apicbase emulator</h1>
${session}
<p>A local stand-in for Apicbase's OAuth 2.0 authorization server (django-oauth-toolkit) and API, for development and tests.</p>
<ul>
<li><code>GET /oauth/authorize/</code></li>
<li><code>POST /oauth/token/</code></li>
<li><code>POST /oauth/introspect/</code></li>
<li><code>POST /oauth/revoke_token/</code></li>
<li><code>GET /api/v2/accounts/libraries/active/</code></li>
<li><code>GET /api/v2/accounts/libraries/</code></li>
</ul>
<p>Test controls live under <code>/__emulator/</code>; see emulator/README.md.</p>`,
  );
}

// Django's production error pages: the title again as the heading, then a line (empty for most).
function djangoErrorPage(title: string, text = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
  <title>${title}</title>
</head>
<body>
  <h1>${title}</h1><p>${text}</p>
</body>
</html>
`;
}

export const NOT_FOUND_PAGE = djangoErrorPage("Not Found", "The requested resource was not found on this server.");
export const SERVER_ERROR_PAGE = djangoErrorPage("Server Error (500)");
export const BAD_REQUEST_PAGE = djangoErrorPage("Bad Request (400)");

export const CSRF_FAILURE_PAGE = layout(
  "403 Forbidden",
  `<h1>Forbidden <span>(403)</span></h1>
<p>CSRF verification failed. Request aborted.</p>
<p>Reason given for failure:</p>
<pre>CSRF token incorrect.</pre>`,
);
