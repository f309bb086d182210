import { auditCsvFilename } from "@/lib/audit-log/csv";
import { auditQuery, parseAuditFilters } from "@/lib/audit-log/filters";
import { auditLogCsv, recordAccessRefused } from "@/lib/dal/audit-log";
import { authorizeAdmin } from "@/lib/dal/session";

// Per request, never cached: the log grows, and it is for admins only.
export const dynamic = "force-dynamic";

const plain = (status: number, message: string) =>
  new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });

/**
 * GET /admin/audit/export?<the audit page's filters>: the filtered log as a CSV download. A route handler is a
 * public endpoint whatever links to it, so it checks the caller itself; a signed-in non-admin gets the same "not
 * found" the admin pages give. It only reads (and records that it was read).
 */
export async function GET(request: Request) {
  const access = await authorizeAdmin();
  if (!access.ok) {
    if (!access.user) return plain(401, "Sign in as a portal admin to export the audit log.");
    await recordAccessRefused(access.user, "export_audit_log");
    return plain(404, "Not found.");
  }
  const parsed = parseAuditFilters(new URL(request.url).searchParams);
  const errors = Object.entries(parsed.errors);
  if (errors.length > 0)
    return plain(400, `Nothing exported: ${errors.map(([field, message]) => `${field}: ${message}`).join(" ")}`);

  const { page: _page, ...filters } = parsed.filters;
  const body = await auditLogCsv(access.admin, filters, auditQuery(parsed.values));
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${auditCsvFilename(new Date())}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
