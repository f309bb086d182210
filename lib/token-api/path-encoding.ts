/**
 * Next.js answers a route handler's path with a malformed percent-encoding (`/api/v1/connections/%E0%A4%A`) with a
 * plain-text 500 before the handler runs. proxy.ts calls this first, so the token API answers such a path as it
 * answers every other bad path: JSON 400 `invalid_request`. No imports: it runs before every /api/v1/ request.
 */
export const MALFORMED_PATH_MESSAGE = "The path holds a malformed percent-encoding.";

export function hasMalformedEncoding(pathname: string): boolean {
  if (!pathname.includes("%")) return false;
  for (const segment of pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return true;
    }
  }
  return false;
}

export function malformedPathResponse(): Response {
  return Response.json(
    { error: "invalid_request", message: MALFORMED_PATH_MESSAGE },
    { status: 400, headers: { "Cache-Control": "no-store", Pragma: "no-cache" } },
  );
}
