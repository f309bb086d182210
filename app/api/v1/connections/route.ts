import { connectionListResponse } from "@/lib/token-api/api";
import { clientAddress } from "@/lib/attempts/address";
import { env } from "@/lib/env";
import { withTokenApi } from "@/lib/token-api/context";
import { failedKeyGuard } from "@/lib/token-api/failed-keys";

export const dynamic = "force-dynamic";

/** The token API: the API key's organization's connections, paginated. See lib/token-api/api.ts and the README. */
export function GET(request: Request) {
  return withTokenApi((ctx) => {
    // Failed API keys are limited per address (lib/token-api/failed-keys.ts).
    const address = clientAddress(request.headers, { trustProxy: env().TRUST_PROXY === "1" });
    return failedKeyGuard(ctx.db).run(address, () => connectionListResponse(ctx, request));
  });
}
