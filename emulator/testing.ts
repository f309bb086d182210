/** Helpers for tests that run against the emulator: start it in-process, drive its controls, approve like a person. */
import type { RefreshLogEntry } from "./http";
import type { TokenResponse } from "./oauth";
import { demoSeed, type Seed } from "./seed";
import { createEmulator } from "./server";
import type { ApiRequestRecord, EmulatorSettings, FaultEndpoint, FaultMode, Stats } from "./state";

export type { RefreshLogEntry } from "./http";
export type { TokenResponse } from "./oauth";
export type { Seed } from "./seed";
export type { ApiRequestRecord, EmulatorSettings, Stats } from "./state";

export interface FaultSpec {
  endpoint: FaultEndpoint;
  mode: FaultMode;
  count?: number;
  delay_ms?: number;
  retry_after?: number;
}

export interface ClockState {
  now: number;
  offset_seconds: number;
}

export interface RevokedGrant {
  revoked: { access_tokens: number; refresh_tokens: number; codes: number };
}

/** Typed client for the /__emulator/ controls. Every method throws when the emulator refuses the request. */
export class EmulatorControl {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl.replace(/\/+$/, "")}/__emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator control ${method} ${path} failed (${response.status}): ${text}`);
    return JSON.parse(text) as T;
  }

  advanceClock(seconds: number): Promise<ClockState> {
    return this.call("POST", "clock", { advance_seconds: seconds });
  }
  resetClock(): Promise<ClockState> {
    return this.call("POST", "clock", { reset: true });
  }
  clock(): Promise<ClockState> {
    return this.call("GET", "clock");
  }
  async reset(): Promise<void> {
    await this.call("POST", "reset");
  }
  async fault(fault: FaultSpec): Promise<void> {
    await this.call("POST", "faults", fault);
  }
  async clearFaults(): Promise<void> {
    await this.call("DELETE", "faults");
  }
  async setActiveLibrary(email: string, libraryId: number): Promise<void> {
    await this.call("POST", `users/${encodeURIComponent(email)}/active-library`, { library_id: libraryId });
  }
  /** Changes a user's username (e-mail address); the user id stays. `reset()` restores the seed's names. */
  renameUser(email: string, newEmail: string): Promise<{ id: number; email: string }> {
    return this.call("POST", `users/${encodeURIComponent(email)}/email`, { email: newEmail });
  }
  mintTokens(args: { email: string; client_id: string; scope: string; expires_in?: number }): Promise<TokenResponse> {
    return this.call("POST", "tokens", args);
  }
  revokeGrant(args: { email: string; client_id: string }): Promise<RevokedGrant> {
    return this.call("POST", "grants/revoke", args);
  }
  settings(patch: Partial<EmulatorSettings> = {}): Promise<EmulatorSettings> {
    return this.call("POST", "settings", patch);
  }
  /** Which sandbox this is: a new id and start time after a reset or a start without saved state. */
  instance(): Promise<{ instance_id: string; state_since: string }> {
    return this.call("GET", "instance");
  }
  stats(): Promise<Stats> {
    return this.call("GET", "stats");
  }
  async resetStats(): Promise<void> {
    await this.call("POST", "stats/reset");
  }
  /** Every refresh_token grant since the last reset, oldest first. */
  async refreshLog(): Promise<RefreshLogEntry[]> {
    return (await this.call<{ entries: RefreshLogEntry[] }>("GET", "refresh-log")).entries;
  }
  /** Apicbase is down for `seconds`: every endpoint answers 500 ("error_500") or drops the connection ("reset"). */
  async outage(seconds: number, mode: "error_500" | "reset" = "error_500"): Promise<void> {
    await this.call("POST", "outage", { seconds, mode });
  }
  /** What reached the REST API lately (method, path, query, headers, body size), newest last. */
  async apiRequests(): Promise<ApiRequestRecord[]> {
    return (await this.call<{ requests: ApiRequestRecord[] }>("GET", "api-requests")).requests;
  }
  /** Every code and token the emulator issued (across resets) and every client secret it knows. */
  issuedSecrets(): Promise<{ codes_and_tokens: string[]; client_secrets: string[] }> {
    return this.call("GET", "issued-secrets");
  }
}

/**
 * Starts an emulator on 127.0.0.1 with a free port (or `port`); the demo seed unless another is given; in memory
 * unless `stateDir` asks it to keep its state there across restarts.
 */
export async function startEmulator(
  opts: {
    seed?: Seed;
    settings?: Partial<EmulatorSettings>;
    stateDir?: string;
    port?: number;
    saveDebounceMs?: number;
  } = {},
): Promise<{
  url: string;
  close(): Promise<void>;
  control: EmulatorControl;
}> {
  const emulator = createEmulator({
    seed: opts.seed ?? demoSeed("http://localhost:3000"),
    settings: opts.settings,
    stateDir: opts.stateDir,
    saveDebounceMs: opts.saveDebounceMs,
  });
  const url = await emulator.listen(opts.port ?? 0, "127.0.0.1");
  return { url, close: () => emulator.close(), control: new EmulatorControl(url) };
}

// --- A small browser: cookie jar, manual redirects, form parsing. ---

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith("#")) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[lower] ?? entity;
  });
}

function attributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const pattern = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of tag.replace(/^<\w+|\/?>$/g, "").matchAll(pattern)) {
    const name = match[1];
    if (name) attrs.set(name.toLowerCase(), decodeEntities(match[2] ?? match[3] ?? match[4] ?? ""));
  }
  return attrs;
}

export interface HtmlForm {
  action: string | null;
  method: string;
  /** Successful controls other than submit buttons, in document order. */
  fields: [string, string][];
}

/** The forms of a page, with their inputs (enough for Django's and DOT's templates). */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
    const formHtml = match[0];
    const formTag = attributes(/^<form\b[^>]*>/i.exec(formHtml)?.[0] ?? "");
    const fields: [string, string][] = [];
    for (const input of formHtml.matchAll(/<input\b[^>]*>/gi)) {
      const attrs = attributes(input[0]);
      const name = attrs.get("name");
      const type = (attrs.get("type") ?? "text").toLowerCase();
      if (name && type !== "submit") fields.push([name, attrs.get("value") ?? ""]);
    }
    forms.push({
      action: formTag.get("action") ?? null,
      method: (formTag.get("method") ?? "get").toLowerCase(),
      fields,
    });
  }
  return forms;
}

/** A cookie jar over fetch that never follows redirects by itself. */
export class BrowserSession {
  readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: [string, string][] } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (init.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? "GET", headers, body, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = "", ...attrs] = cookie.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((attr) => /^\s*max-age\s*=\s*0\s*$/i.test(attr));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
    return response;
  }
}

const isRedirect = (response: Response) =>
  response.status >= 300 && response.status < 400 && response.headers.has("location");

export type ApprovalResult =
  | { kind: "redirect"; location: string }
  | { kind: "oob"; code: string }
  | { kind: "error"; status: number; html: string };

/**
 * Drives the browser part like a person: opens the authorize URL, logs in on the login page, comes back, and on the
 * consent page posts the hidden fields plus allow=Authorize (or Cancel when allow is false). Returns the redirect to
 * the client (not followed), the code shown on the out-of-band page, or the error page the flow ended on.
 */
export async function approveInBrowser(args: {
  authorizeUrl: string;
  email: string;
  password: string;
  allow?: boolean;
}): Promise<ApprovalResult> {
  const browser = new BrowserSession();
  const origin = new URL(args.authorizeUrl).origin;
  let url = args.authorizeUrl;
  let response = await browser.request(url);

  // Follow the emulator's own redirects (login and back); a redirect elsewhere is the answer to the client.
  let loggedIn = false;
  for (let hops = 0; isRedirect(response); hops++) {
    const target = new URL(response.headers.get("location") ?? "", url);
    if (target.origin !== origin || hops > 5)
      return { kind: "redirect", location: response.headers.get("location") ?? "" };
    url = target.href;
    response = await browser.request(url);
    if (target.pathname === "/accounts/login/" && !loggedIn && response.status === 200) {
      const form = parseForms(await response.text()).find((f) => f.fields.some(([name]) => name === "username"));
      if (!form) return { kind: "error", status: response.status, html: "" };
      const fields = form.fields.filter(([name]) => name !== "username" && name !== "password");
      fields.push(["username", args.email], ["password", args.password]);
      url = new URL(form.action ?? url, url).href;
      response = await browser.request(url, { method: "POST", form: fields });
      loggedIn = true;
    }
  }

  const html = await response.text();
  if (response.status !== 200) return { kind: "error", status: response.status, html };
  const consent = /<form\b[^>]*id="authorizationForm"/i.test(html)
    ? parseForms(html).find((f) => f.method === "post")
    : undefined;
  if (!consent) return { kind: "error", status: response.status, html };

  const fields = [...consent.fields];
  if (args.allow !== false) fields.push(["allow", "Authorize"]);
  response = await browser.request(new URL(consent.action ?? url, url).href, { method: "POST", form: fields });
  if (isRedirect(response)) return { kind: "redirect", location: response.headers.get("location") ?? "" };
  const result = await response.text();
  const code = /<title>\s*Success code=([^<\s]+)\s*<\/title>/i.exec(result)?.[1];
  if (response.status === 200 && code) return { kind: "oob", code: decodeEntities(code) };
  return { kind: "error", status: response.status, html: result };
}
