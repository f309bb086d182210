import { ApicbaseError, type ApicbaseEndpointName } from "./errors";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type BufferedResponse = {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text(): string;
};

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export function toResponse(res: BufferedResponse): Response {
  return new Response(NULL_BODY_STATUSES.has(res.status) ? null : Buffer.from(res.body), {
    status: res.status,
    headers: res.headers,
  });
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let i = 0; i < 4 && current && typeof current === "object"; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

// Refused before anything was sent: Apicbase cannot have processed the request.
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_INVALID_URL",
]);

/**
 * One HTTP exchange with Apicbase: never follows redirects, gives up after `timeoutMs` (the whole exchange,
 * body included) and refuses bodies over `maxBytes` without reading them to the end.
 */
export async function send(
  endpoint: ApicbaseEndpointName,
  url: string,
  init: RequestInit,
  opts: { timeoutMs: number; maxBytes: number; fetch?: FetchLike },
): Promise<BufferedResponse> {
  const doFetch: FetchLike = opts.fetch ?? ((input, i) => fetch(input, i));
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const label = `Apicbase ${endpoint} endpoint`;
  try {
    const res = await doFetch(url, { ...init, redirect: "manual", signal });
    const body = await readCapped(res, opts.maxBytes, endpoint);
    return { status: res.status, headers: res.headers, body, text: () => new TextDecoder().decode(body) };
  } catch (error) {
    if (error instanceof ApicbaseError) throw error;
    if (signal.aborted) {
      throw new ApicbaseError({
        code: "timeout",
        endpoint,
        ambiguous: true,
        message: `${label} did not answer within ${Math.round(opts.timeoutMs / 1000)} s`,
      });
    }
    const code = networkCode(error);
    const neverSent = code !== undefined && NEVER_SENT.has(code);
    throw new ApicbaseError({
      code: "network",
      endpoint,
      ambiguous: !neverSent,
      message: neverSent
        ? `${label} is unreachable (${code})`
        : `the connection to the ${label} broke before an answer arrived${code ? ` (${code})` : ""}`,
    });
  }
}

async function readCapped(res: Response, maxBytes: number, endpoint: ApicbaseEndpointName): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw oversized(endpoint, maxBytes);
  }
  if (!res.body) return new Uint8Array();
  const bytes = await readUpTo(res.body, maxBytes);
  if (bytes === "too_large") throw oversized(endpoint, maxBytes);
  return bytes;
}

/** A stream's bytes, or "too_large" (and the stream cancelled) as soon as they pass `maxBytes`. */
export async function readUpTo(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | "too_large"> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return "too_large";
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function oversized(endpoint: ApicbaseEndpointName, maxBytes: number) {
  return new ApicbaseError({
    code: "invalid_response",
    endpoint,
    ambiguous: true,
    message: `Apicbase ${endpoint} endpoint sent more than ${maxBytes} bytes`,
  });
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date), bounded to [1, 3600]. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - nowMs) / 1000);
  }
  return Math.min(3600, Math.max(1, seconds));
}
