import "server-only";
import { AUDIT_CSV_COLUMNS, auditCsvLine, csvLine } from "@/lib/audit-log/csv";
import type { AuditFilters } from "@/lib/audit-log/filters";
import { auditExportBatches, queryAuditLog, type AuditPage } from "@/lib/audit-log/query";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { actorOf } from "./actor";
import type { Admin, PortalUser } from "./session";

/** Someone signed in asked for something admins only may have: worth a line in the log. */
export async function recordAccessRefused(user: PortalUser, action: string): Promise<void> {
  const { db } = await getDb();
  await recordAudit(db, {
    actor: actorOf(user),
    event: "access_refused",
    outcome: "failure",
    detail: { action },
  });
}

/** One page of the whole audit log (admins). */
export async function auditLog(_admin: Admin, filters: AuditFilters): Promise<AuditPage> {
  const { db } = await getDb();
  return queryAuditLog(db, filters);
}

const encoder = new TextEncoder();
// Spreadsheet programs read UTF-8 (library names like "Café Zuid") only with a byte-order mark.
const BOM = "\uFEFF";

/**
 * The filtered log as CSV, streamed a batch at a time so its size does not matter. The export itself is recorded
 * first (with the filters), so the log shows who took a copy of it.
 */
export async function auditLogCsv(
  admin: Admin,
  filters: Omit<AuditFilters, "page">,
  query: string,
): Promise<ReadableStream<Uint8Array>> {
  const { db } = await getDb();
  await recordAudit(db, {
    actor: actorOf(admin),
    event: "audit_log_exported",
    outcome: "success",
    detail: { filters: query.replace(/^\?/, "") || null },
  });
  const batches = auditExportBatches(db, filters);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(BOM + csvLine(AUDIT_CSV_COLUMNS)));
        return;
      }
      const next = await batches.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map(auditCsvLine).join("")));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
