import type { NextRequest } from "next/server";
import { parseHistoryPage, parseShowHandouts } from "@/lib/connections/view";
import { getConnectionWithHistory } from "@/lib/dal/connection-queries";
import { getCurrentUser } from "@/lib/dal/session";
import { privateJson, sessionEnded } from "../../private-json";

export const dynamic = "force-dynamic";

/** One connection and a page of its history as JSON, for React Query. Checks the session and the owner every call. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return sessionEnded();
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
    return privateJson({ error: "This connection does not exist or belongs to another organization." }, 404);
  }
  return privateJson(detail);
}
