/**
 * Every request under /api/v1/, from the Next.js catch-all route and `npm run token-api` alike: the path is matched
 * on its raw, percent-encoded form, each segment decoded once (a malformed encoding is a 400, never an exception),
 * ids validated before anything else, and the method checked (405 with `Allow`). Whatever is not an endpoint is a
 * JSON 404, so a backend never gets the portal's HTML pages.
 */
import { MALFORMED_PATH_MESSAGE } from "./path-encoding";
import { accessTokenResponse, connectionListResponse, libraryAccessTokenResponse } from "./api";
import { apiError, handled, json, UUID } from "./http";
import type { RequestMeta, TokenApiContext } from "./types";
import { openApiDocument } from "./openapi";
import { proxyResponse, PROXY_METHODS } from "./proxy";
import { MAX_LIBRARY_ID } from "./schemas";

export const API_PREFIX = "/api/v1";

export type TokenApiRoute =
  | { name: "openapi" }
  | { name: "connections" }
  | { name: "connection_access_token"; connectionId: string }
  | { name: "library_access_token"; libraryId: number }
  | { name: "connection_proxy"; connectionId: string; rest: string }
  | { name: "library_proxy"; libraryId: number; rest: string };

type Matched = { route: TokenApiRoute; methods: readonly string[] };

const GET = ["GET"] as const;

class BadPath extends Error {}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadPath(MALFORMED_PATH_MESSAGE);
  }
}

function connectionId(segment: string): string {
  const id = decodeSegment(segment);
  if (!UUID.test(id)) throw new BadPath("The connection id must be a UUID, as the portal lists them.");
  return id.toLowerCase();
}

function libraryId(segment: string): number {
  const raw = decodeSegment(segment);
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIBRARY_ID) {
    throw new BadPath(`The library id must be a whole number from 1 to ${MAX_LIBRARY_ID}, e.g. 101.`);
  }
  return Number(raw);
}

/**
 * The rest of a proxied path, as it will be appended to Apicbase's API URL: every segment must decode, and none may
 * climb out of the API (`..`, `.`, or an encoded slash or backslash that a server could read as one).
 */
function proxiedRest(segments: string[]): string {
  for (const segment of segments) {
    const decoded = decodeSegment(segment);
    if (decoded === "." || decoded === ".." || /[/\\]/.test(decoded) || /[\u0000-\u001f\u007f]/.test(decoded)) {
      throw new BadPath("The Apicbase path may not hold dot segments, encoded slashes or control characters.");
    }
  }
  return segments.join("/");
}

/** The endpoint a path names, or null when it names none. Throws BadPath for a malformed one. */
export function matchPath(pathname: string): Matched | null {
  if (!pathname.startsWith(`${API_PREFIX}/`)) return null;
  const parts = pathname.slice(API_PREFIX.length + 1).split("/");
  // One trailing slash is tolerated on the fixed endpoints (not on proxied paths, where it is significant).
  const fixed = parts.length > 1 && parts[parts.length - 1] === "" ? parts.slice(0, -1) : parts;
  const [first, second, third] = fixed;
  if (fixed.length === 1 && first === "openapi.json") return { route: { name: "openapi" }, methods: GET };
  if (fixed.length === 1 && first === "connections") return { route: { name: "connections" }, methods: GET };
  if ((first === "connections" || first === "libraries") && second !== undefined && parts.length >= 3) {
    const byConnection = first === "connections";
    if (fixed.length === 3 && third === "access-token") {
      return byConnection
        ? { route: { name: "connection_access_token", connectionId: connectionId(second) }, methods: GET }
        : { route: { name: "library_access_token", libraryId: libraryId(second) }, methods: GET };
    }
    if (parts[2] === "apicbase") {
      const rest = proxiedRest(parts.slice(3));
      return byConnection
        ? { route: { name: "connection_proxy", connectionId: connectionId(second), rest }, methods: PROXY_METHODS }
        : { route: { name: "library_proxy", libraryId: libraryId(second), rest }, methods: PROXY_METHODS };
    }
  }
  return null;
}

/** The raw path of a request URL, without decoding it (a Request's URL keeps the client's percent-encoding). */
function rawPathname(url: string): string {
  const afterOrigin = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  const end = afterOrigin.search(/[?#]/);
  return end < 0 ? afterOrigin || "/" : afterOrigin.slice(0, end) || "/";
}

export function handleTokenApi(ctx: TokenApiContext, request: Request, meta: RequestMeta): Promise<Response> {
  return handled(async () => {
    let matched: Matched | null;
    try {
      matched = matchPath(rawPathname(request.url));
    } catch (error) {
      if (error instanceof BadPath) return apiError(400, "invalid_request", error.message);
      throw error;
    }
    if (!matched) {
      return apiError(404, "not_found", "There is no such endpoint. The reference is at /api/v1/openapi.json.");
    }
    const { route, methods } = matched;
    if (!methods.includes(request.method)) {
      const allow = methods.join(", ");
      return apiError(405, "method_not_allowed", `Use ${allow} here.`, { Allow: allow });
    }
    switch (route.name) {
      case "openapi":
        return json(200, openApiDocument(), { "Cache-Control": "public, max-age=300" });
      case "connections":
        return connectionListResponse(ctx, request, meta);
      case "connection_access_token":
        return accessTokenResponse(ctx, request, route.connectionId, meta);
      case "library_access_token":
        return libraryAccessTokenResponse(ctx, request, route.libraryId, meta);
      case "connection_proxy":
      case "library_proxy":
        return proxyResponse(ctx, request, route, meta);
    }
  });
}
