import { accessTokenResponse } from "@/lib/token-api/api";
import { clientAddress } from "@/lib/attempts/address";
import { env } from "@/lib/env";
import { withTokenApi } from "@/lib/token-api/context";
import { failedKeyGuard } from "@/lib/token-api/failed-keys";

export const dynamic = "force-dynamic";

/** The token API: a valid access token of one connection, refreshed first when it expires within the margin. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return withTokenApi((ctx) => {
    // Failed API keys are limited per address (lib/token-api/failed-keys.ts).
    const address = clientAddress(request.headers, { trustProxy: env().TRUST_PROXY === "1" });
    return failedKeyGuard(ctx.db).run(address, () => accessTokenResponse(ctx, request, id));
  });
}
