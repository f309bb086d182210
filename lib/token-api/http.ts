/** The token API's HTTP answers: JSON with `Cache-Control: no-store`, errors with a stable code and a sentence. */
import type { z } from "zod";
import { describeError } from "@/lib/log";
import { firstIssue, type ErrorBody, type TokenApiErrorCode } from "./schemas";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...NO_STORE, ...headers },
  });
}

export function apiError(
  status: number,
  error: TokenApiErrorCode,
  message: string,
  headers: Record<string, string> = {},
  extra: Partial<ErrorBody> = {},
): Response {
  return json(status, { error, message, ...extra } satisfies ErrorBody, headers);
}

export const unauthorized = () =>
  apiError(
    401,
    "invalid_api_key",
    "Send an organization API key of the portal as `Authorization: Bearer apb_...`; this one is missing, unknown, " +
      "expired or revoked.",
    { "WWW-Authenticate": 'Bearer realm="Apicbase partner portal"' },
  );

export const rateLimited = (seconds: number) =>
  apiError(429, "rate_limited", `Too many requests with this API key. Try again in ${seconds} seconds.`, {
    "Retry-After": String(seconds),
  });

export const notFound = (message = "There is no connection with this id.") => apiError(404, "not_found", message);

/** Runs a handler; whatever it throws becomes a JSON 500 (logged without secrets), never a crash. */
export async function handled(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    console.error(`[token-api] request failed: ${describeError(error)}`);
    return apiError(500, "internal_error", "Something went wrong on the portal's side. Try again.");
  }
}

/** The known query parameters of a request, each at most once: a repeated one is refused, not silently resolved. */
export function queryOf<T extends z.ZodObject>(url: URL, schema: T): z.output<T> | Response {
  const values: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const all = url.searchParams.getAll(name);
    if (all.length > 1) return apiError(400, "invalid_request", `${name} is given more than once.`);
    if (all.length === 1 && all[0] !== "") values[name] = all[0]!;
  }
  const parsed = schema.safeParse(values);
  return parsed.success ? parsed.data : apiError(400, "invalid_request", firstIssue(parsed.error));
}
