import type { NextRequest } from "next/server";
import { parseConnectionFilters } from "@/lib/connections/view";
import { listConnections } from "@/lib/dal/connection-queries";
import { getCurrentUser } from "@/lib/dal/session";
import { privateJson, sessionEnded } from "../private-json";

export const dynamic = "force-dynamic";

/**
 * The dashboard's (or the admin area's) list as JSON, for React Query's polling. Checks the session and the
 * organization on every call.
 */
export async function GET(request: NextRequest) {
  const user = await getCurrentUser();
  if (!user) return sessionEnded();
  const params = request.nextUrl.searchParams;
  // `scope=all`: every organization's connections, which listConnections gives admins only.
  const organizationId = params.get("scope") === "all" ? null : (params.get("organization") ?? "");
  const list = await listConnections(user, organizationId, parseConnectionFilters(params));
  if (!list) {
    return privateJson({ error: "This organization does not exist or you are not a member of it." }, 404);
  }
  return privateJson(list);
}
