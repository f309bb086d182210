import { clientAddress } from "@/lib/attempts/address";
import { env } from "@/lib/env";
import { withTokenApi } from "@/lib/token-api/context";
import { failedKeyGuard } from "@/lib/token-api/failed-keys";
import { handleTokenApi } from "@/lib/token-api/router";

export const dynamic = "force-dynamic";

/**
 * Everything under /api/v1/ (the token API, the Apicbase API proxy, the OpenAPI document): one router, shared with
 * `npm run token-api`, so every path and method answers JSON. See lib/token-api/router.ts and the README.
 */
function handler(request: Request): Promise<Response> {
  return withTokenApi((ctx) => {
    // Failed API keys are limited per address (lib/token-api/failed-keys.ts).
    const address = clientAddress(request.headers, { trustProxy: env().TRUST_PROXY === "1" });
    return failedKeyGuard(ctx.db).run(address, () => handleTokenApi(ctx, request, { address }));
  });
}

export {
  handler as DELETE,
  handler as GET,
  handler as HEAD,
  handler as OPTIONS,
  handler as PATCH,
  handler as POST,
  handler as PUT,
};
