import { connectionListResponse } from "@/lib/token-api/api";
import { withTokenApi } from "@/lib/token-api/context";

export const dynamic = "force-dynamic";

/** The token API: the API key's organization's connections, paginated. See lib/token-api/api.ts and the README. */
export function GET(request: Request) {
  return withTokenApi((ctx) => connectionListResponse(ctx, request));
}
