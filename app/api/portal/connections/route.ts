import { NextResponse, type NextRequest } from "next/server";
import { parseConnectionFilters } from "@/lib/connections/view";
import { listConnections } from "@/lib/dal/connection-queries";
import { getCurrentUser } from "@/lib/dal/session";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "private, no-store" };

/**
 * The dashboard's (or the admin area's) list as JSON, for React Query's polling. Checks the session and the
 * organization on every call.
 */
export async function GET(request: NextRequest) {
  const user = await getCurrentUser();
  if (!user)
    return NextResponse.json({ error: "Your session has ended. Sign in again." }, { status: 401, headers: NO_STORE });
  const params = request.nextUrl.searchParams;
  // `scope=all`: every organization's connections, which listConnections gives admins only.
  const organizationId = params.get("scope") === "all" ? null : (params.get("organization") ?? "");
  const list = await listConnections(user, organizationId, parseConnectionFilters(params));
  if (!list) {
    return NextResponse.json(
      { error: "This organization does not exist or you are not a member of it." },
      { status: 404, headers: NO_STORE },
    );
  }
  return NextResponse.json(list, { headers: NO_STORE });
}
