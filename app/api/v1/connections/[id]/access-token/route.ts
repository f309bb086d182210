import { accessTokenResponse } from "@/lib/token-api/api";
import { withTokenApi } from "@/lib/token-api/context";

export const dynamic = "force-dynamic";

/** The token API: a valid access token of one connection, refreshed first when it expires within the margin. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return withTokenApi((ctx) => accessTokenResponse(ctx, request, id));
}
