import { connectionsCsvFilename } from "@/lib/connections/export";
import { parseConnectionFilters } from "@/lib/connections/view";
import { exportConnectionsCsv } from "@/lib/dal/connection-export";
import { recordAccessRefused } from "@/lib/dal/audit-log";
import { getCurrentUser } from "@/lib/dal/session";
import { csvResponse, plainResponse } from "@/lib/downloads";

export const dynamic = "force-dynamic";

/**
 * GET /connections/export?organization=<id>&<the dashboard's filters>: every connection the filters match, as a CSV
 * download. A route handler is a public endpoint, so it checks the caller itself: a member of the organization or an
 * admin; anyone else gets "not found", which does not tell whether the organization exists.
 */
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return plainResponse(401, "Sign in to export connections.");
  const url = new URL(request.url);
  const organizationId = url.searchParams.get("organization") ?? user.memberships[0]?.organizationId ?? "";
  const now = new Date();
  const body = await exportConnectionsCsv(
    user,
    organizationId,
    parseConnectionFilters(url.searchParams),
    url.search,
    now,
  );
  if (!body) {
    await recordAccessRefused(user, "export_connections");
    return plainResponse(404, "Not found.");
  }
  return csvResponse(body, connectionsCsvFilename(now));
}
