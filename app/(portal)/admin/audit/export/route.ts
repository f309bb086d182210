import { auditCsvFilename } from "@/lib/audit-log/csv";
import { auditQuery, parseAuditFilters } from "@/lib/audit-log/filters";
import { auditLogCsv, recordAccessRefused } from "@/lib/dal/audit-log";
import { authorizeAdmin } from "@/lib/dal/session";
import { csvResponse, plainResponse } from "@/lib/downloads";

// Per request, never cached: the log grows, and it is for admins only.
export const dynamic = "force-dynamic";

/**
 * GET /admin/audit/export?<the audit page's filters>: the filtered log as a CSV download. A route handler is a
 * public endpoint whatever links to it, so it checks the caller itself; a signed-in non-admin gets the same "not
 * found" the admin pages give. It only reads (and records that it was read).
 */
export async function GET(request: Request) {
  const access = await authorizeAdmin();
  if (!access.ok) {
    if (!access.user) return plainResponse(401, "Sign in as a portal admin to export the audit log.");
    await recordAccessRefused(access.user, "export_audit_log");
    return plainResponse(404, "Not found.");
  }
  const parsed = parseAuditFilters(new URL(request.url).searchParams);
  const errors = Object.entries(parsed.errors);
  if (errors.length > 0)
    return plainResponse(
      400,
      `Nothing exported: ${errors.map(([field, message]) => `${field}: ${message}`).join(" ")}`,
    );

  const { page: _page, ...filters } = parsed.filters;
  const body = await auditLogCsv(access.admin, filters, auditQuery(parsed.values));
  return csvResponse(body, auditCsvFilename(new Date()));
}
