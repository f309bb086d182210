import { connectionsCsvFilename } from "@/lib/connections/export";
import { parseConnectionFilters } from "@/lib/connections/view";
import { exportConnectionsCsv } from "@/lib/dal/connection-export";
import { recordAccessRefused } from "@/lib/dal/audit-log";
import { getCurrentUser } from "@/lib/dal/session";
import { csvResponse, plainResponse } from "@/lib/downloads";

export const dynamic = "force-dynamic";

/** GET /admin/connections/export?<the admin list's filters>: every organization's matching connections, for admins. */
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return plainResponse(401, "Sign in as a portal admin to export every organization's connections.");
  const url = new URL(request.url);
  const now = new Date();
  const body = await exportConnectionsCsv(user, null, parseConnectionFilters(url.searchParams), url.search, now);
  if (!body) {
    await recordAccessRefused(user, "export_connections");
    return plainResponse(404, "Not found.");
  }
  return csvResponse(body, connectionsCsvFilename(now));
}
