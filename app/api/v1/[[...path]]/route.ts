import { withTokenApi } from "@/lib/token-api/context";
import { handleTokenApi } from "@/lib/token-api/router";

export const dynamic = "force-dynamic";

/**
 * Everything under /api/v1/ (the token API, the Apicbase API proxy, the OpenAPI document): one router, shared with
 * `npm run token-api`, so every path and method answers JSON. See lib/token-api/router.ts and the README.
 */
function handler(request: Request): Promise<Response> {
  return withTokenApi((ctx) => handleTokenApi(ctx, request, { address: clientAddress(request) }));
}

/** The nearest hop's view of the caller: the last X-Forwarded-For entry (Next.js adds the socket's when none came). */
function clientAddress(request: Request): string | null {
  const forwarded = request.headers.get("x-forwarded-for");
  return forwarded?.split(",").pop()?.trim() || null;
}

export { handler as DELETE, handler as GET, handler as HEAD, handler as OPTIONS, handler as PATCH, handler as POST, handler as PUT };
