import type { Metadata } from "next";
import { AuditFilters } from "@/components/admin/audit-filters";
import { AuditTable } from "@/components/admin/audit-table";
import { Pagination } from "@/components/admin/pagination";
import { auditQuery, parseAuditFilters } from "@/lib/audit-log/filters";
import { auditLog } from "@/lib/dal/audit-log";
import { requireAdmin } from "@/lib/dal/session";
import type { SearchParams } from "@/lib/search-params";
import { PageHeader } from "@/components/ui/page-title";

export const metadata: Metadata = { title: "Audit log" };

export default async function AdminAuditPage({ searchParams }: { searchParams: SearchParams }) {
  const admin = await requireAdmin();
  const parsed = parseAuditFilters(await searchParams);
  const invalid = Object.keys(parsed.errors).length > 0;
  const log = invalid ? null : await auditLog(admin, parsed.filters);
  const now = new Date();

  return (
    <div className="space-y-6">
      <PageHeader context="Admin" title="Audit log">
        Every token and admin event, newest first, with who did it and what Apicbase answered. Entries never hold a
        token, a secret or a code. Times are shown in your time zone; the From and To filters are in UTC.
      </PageHeader>

      <AuditFilters parsed={parsed} />

      {invalid || !log ? (
        <p role="alert" className="font-medium text-red-700">
          Nothing is listed until the filter marked above is corrected.
        </p>
      ) : log.entries.length === 0 ? (
        <p className="text-slate-700">No entries match these filters.</p>
      ) : (
        <div className="space-y-4">
          <Pagination
            label="Pages of the audit log"
            page={log.page}
            pageCount={log.pageCount}
            total={log.total}
            noun={["entry", "entries"]}
            href={(page) => `/admin/audit${auditQuery(parsed.values, page)}`}
          />
          <AuditTable entries={log.entries} now={now} />
        </div>
      )}
    </div>
  );
}
