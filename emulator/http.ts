import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { parseQsl, quote, type Pair } from "./uri";

/** A response built synchronously by a handler; the server writes it (or, for drop_after_commit, drops it). */
export interface EmulatorResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** Request parameters with Django QueryDict semantics: a repeated name answers its last value. */
export class Params {
  constructor(readonly pairs: readonly Pair[] = []) {}
  get(name: string): string | null {
    for (let i = this.pairs.length - 1; i >= 0; i--) {
      const pair = this.pairs[i];
      if (pair && pair[0] === name) return pair[1];
    }
    return null;
  }
  count(name: string): number {
    return this.pairs.filter(([key]) => key === name).length;
  }
}

export interface RequestContext {
  method: string;
  /** The raw request target (path and query) as the client sent it. */
  rawUrl: string;
  path: string;
  query: Params;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** Form fields of an application/x-www-form-urlencoded or multipart/form-data body, like Django's request.POST. */
  form: Params;
  /** The request body as received (JSON bodies are read from here). */
  body: Buffer;
  cookies: Map<string, string>;
  /** Who called, when the request came through a `/__as/<caller>/` prefix (test bookkeeping, see controls). */
  caller?: string;
  /** When the request arrived (emulator clock, ms). */
  receivedAt?: number;
  /** The refresh-log entry this request wrote, so the server can note that its answer was dropped. */
  refreshEntry?: RefreshLogEntry;
}

/** One refresh_token grant as the emulator saw it (GET /__emulator/refresh-log): test bookkeeping only. */
export interface RefreshLogEntry {
  /** When the request arrived, and when it was answered (emulator clock, ms): a "slow" fault lies in between. */
  received: number;
  at: number;
  caller: string | null;
  /** The refresh token presented. */
  used: string;
  /** The refresh token issued in exchange; null when the grant failed. */
  issued: string | null;
  /** The OAuth error answered, when the grant failed. */
  error: string | null;
  /** "dropped": committed, then the connection was destroyed without an answer (drop_after_commit). */
  answer: "sent" | "dropped";
}

const MAX_BODY_BYTES = 2_621_440; // Django's DATA_UPLOAD_MAX_MEMORY_SIZE

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseMultipart(body: Buffer, boundary: string): Pair[] {
  const pairs: Pair[] = [];
  const text = body.toString("latin1");
  for (const part of text.split(`--${boundary}`).slice(1)) {
    if (part.startsWith("--")) break;
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined || /\bfilename=/i.test(headers)) continue;
    const value = part.slice(headerEnd + 4).replace(/\r\n$/, "");
    pairs.push([Buffer.from(name, "latin1").toString("utf8"), Buffer.from(value, "latin1").toString("utf8")]);
  }
  return pairs;
}

/** Django parses only form bodies into request.POST; a JSON body leaves it empty. */
export function parseForm(contentType: string | undefined, body: Buffer): Params {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return new Params(parseQsl(body.toString("utf8"), true));
  if (type === "multipart/form-data") {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? "")?.[1];
    return boundary ? new Params(parseMultipart(body, boundary)) : new Params();
  }
  return new Params();
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name))
      cookies.set(
        name,
        part
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, "$1"),
      );
  }
  return cookies;
}

export function setCookie(name: string, value: string, options: { httpOnly?: boolean; maxAge: number }): string {
  const parts = [`${name}=${value}`, `Max-Age=${options.maxAge}`, "Path=/", "SameSite=Lax"];
  if (options.maxAge <= 0) parts.push("expires=Thu, 01 Jan 1970 00:00:00 GMT");
  if (options.httpOnly) parts.push("HttpOnly");
  return parts.join("; ");
}

/** Python's json.dumps defaults: `", "` and `": "` separators, non-ASCII escaped. Django and oauthlib answer this way. */
export function pythonJson(value: Record<string, string | number | boolean>): string {
  const escapeNonAscii = (json: string) =>
    json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const members = Object.entries(value).map(
    ([k, v]) => `${escapeNonAscii(JSON.stringify(k))}: ${escapeNonAscii(JSON.stringify(v))}`,
  );
  return `{${members.join(", ")}}`;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#x27;");
}

export const HTML = "text/html; charset=utf-8";

export function html(status: number, body: string, headers: Record<string, string | string[]> = {}): EmulatorResponse {
  return { status, headers: { "Content-Type": HTML, ...headers }, body };
}

/** Like Django's HttpResponseRedirect, which passes the target through iri_to_uri (so it is a valid header value). */
export function redirect(
  location: string,
  headers: Record<string, string | string[]> = {},
  status = 302,
): EmulatorResponse {
  return {
    status,
    headers: { "Content-Type": HTML, Location: quote(location, "/#%[]=:;$&()+,!?*@'~"), ...headers },
    body: "",
  };
}

export function json(
  status: number,
  value: unknown,
  headers: Record<string, string | string[]> = {},
): EmulatorResponse {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(value) };
}

export function methodNotAllowed(allowed: readonly string[]): EmulatorResponse {
  return { status: 405, headers: { "Content-Type": HTML, Allow: allowed.join(", ") }, body: "" };
}
