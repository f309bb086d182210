import { NextResponse, type NextRequest } from "next/server";
import { parseHistoryPage, parseShowHandouts } from "@/lib/connections/view";
import { getConnectionWithHistory } from "@/lib/dal/connection-queries";
import { getCurrentUser } from "@/lib/dal/session";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "private, no-store" };

/** One connection and a page of its history as JSON, for React Query. Checks the session and the owner every call. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user)
    return NextResponse.json({ error: "Your session has ended. Sign in again." }, { status: 401, headers: NO_STORE });
  const { id } = await params;
  const search = request.nextUrl.searchParams;
  const detail = await getConnectionWithHistory(
    user,
    id,
    parseHistoryPage(search.get("history")),
    new Date(),
    parseShowHandouts(search.get("handouts")),
  );
  if (!detail) {
    return NextResponse.json(
      { error: "This connection does not exist or belongs to another organization." },
      { status: 404, headers: NO_STORE },
    );
  }
  return NextResponse.json(detail, { headers: NO_STORE });
}
