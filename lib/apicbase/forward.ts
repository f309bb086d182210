/**
 * One call to Apicbase's REST API on behalf of a partner backend (the portal's API proxy): only allow-listed headers
 * go out and come back, the access token is the connection's, redirects are not followed, the answer's body streams
 * through with a size cap. Never logs or keeps a body.
 */
import { ApicbaseError } from "./errors";
import type { FetchLike } from "./http";

/** Request headers a caller may send on to Apicbase. Never Authorization or Cookie: the portal adds its own token. */
export const FORWARDED_REQUEST_HEADERS = [
  "accept",
  "accept-language",
  "content-type",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
] as const;

/**
 * Answer headers passed back to the caller. Never Set-Cookie or WWW-Authenticate (the portal's own 401 means its key).
 */
export const FORWARDED_RESPONSE_HEADERS = [
  "allow",
  "content-disposition",
  "content-language",
  "content-type",
  "etag",
  "last-modified",
  "link",
  "location",
  "retry-after",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
] as const;

export type ForwardRequest = {
  method: string;
  /** Appended to the API URL: a path relative to it, already checked (no dot segments), and the raw query. */
  path: string;
  search: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer> | null;
  accessToken: string;
};

export type ForwardOptions = {
  apiUrl: string;
  /** Until Apicbase's answer headers arrive; the body then streams for as long as it takes. */
  timeoutMs: number;
  maxResponseBytes: number;
  fetch?: FetchLike;
};

/** Apicbase's API URL and a relative path: the target, which must stay under the API URL. */
export function forwardTarget(apiUrl: string, path: string, search: string): URL {
  const base = new URL(apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`);
  const target = new URL(`${base.href}${path}${search}`);
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) {
    throw new ApicbaseError({ code: "invalid_response", endpoint: "api", message: "the path leaves Apicbase's API" });
  }
  return target;
}

export function allowedHeaders(from: Headers, names: readonly string[]): Headers {
  const out = new Headers();
  for (const name of names) {
    const value = from.get(name);
    if (value !== null) out.set(name, value);
  }
  return out;
}

/** A body stream that errors once more than `maxBytes` went through (the client sees the answer cut off). */
function capped(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let total = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > maxBytes) controller.error(new Error(`Apicbase's answer exceeds ${maxBytes} bytes`));
        else controller.enqueue(chunk);
      },
    }),
  );
}

export type Forwarded = { status: number; headers: Headers; body: ReadableStream<Uint8Array> | null };

/**
 * Sends the call; resolves once Apicbase's answer headers arrived. Throws ApicbaseError for a timeout, a broken
 * connection or an answer that declares more than the cap.
 */
export async function forwardApiCall(request: ForwardRequest, options: ForwardOptions): Promise<Forwarded> {
  const target = forwardTarget(options.apiUrl, request.path, request.search);
  const headers = allowedHeaders(request.headers, FORWARDED_REQUEST_HEADERS);
  headers.set("authorization", `Bearer ${request.accessToken}`);
  headers.set("user-agent", "apicbase-partner-portal (API proxy)");
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let response: Response;
  try {
    response = await doFetch(target.href, {
      method: request.method,
      headers,
      body: request.body && request.method !== "GET" && request.method !== "HEAD" ? request.body : undefined,
      redirect: "manual",
      signal: controller.signal,
    });
  } catch (error) {
    const timedOut = controller.signal.aborted;
    throw new ApicbaseError({
      code: timedOut ? "timeout" : "network",
      endpoint: "api",
      ambiguous: true,
      message: timedOut
        ? `Apicbase's API did not answer within ${Math.round(options.timeoutMs / 1000)} s`
        : `Apicbase's API could not be reached (${error instanceof Error ? error.message : "network error"})`,
    });
  } finally {
    clearTimeout(timer);
  }
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > options.maxResponseBytes) {
    await response.body?.cancel().catch(() => {});
    throw new ApicbaseError({
      code: "invalid_response",
      endpoint: "api",
      status: response.status,
      message: `Apicbase's answer is ${declared} bytes, more than the ${options.maxResponseBytes} the portal passes on`,
    });
  }
  const passed = allowedHeaders(response.headers, FORWARDED_RESPONSE_HEADERS);
  return {
    status: response.status,
    headers: passed,
    body: response.body ? capped(response.body, options.maxResponseBytes) : null,
  };
}
