import "server-only";
import { recordAudit } from "@/lib/audit";
import { connectionsCsv } from "@/lib/connections/export";
import type { ConnectionFilters } from "@/lib/connections/view";
import { getDb } from "@/lib/db";
import { recordId } from "@/lib/forms";
import { canActFor } from "./connections";
import { actorOf } from "./actor";
import type { PortalUser } from "./session";

const encoder = new TextEncoder();
/** Spreadsheets read UTF-8 (library names with accents) only with the byte order mark. */
const BOM = "\uFEFF";

/**
 * The dashboard's filtered list as a CSV stream, for a member of the organization or an admin; a null organization
 * (every organization's connections) for admins only. Null for anyone else. Pulled a batch at a time, so a slow
 * download holds no more than one batch in memory. The export is recorded in the audit log with its filters.
 */
export async function exportConnectionsCsv(
  user: PortalUser,
  organizationId: string | null,
  filters: ConnectionFilters,
  query: string,
  now = new Date(),
): Promise<ReadableStream<Uint8Array> | null> {
  if (organizationId === null) {
    if (!user.isAdmin) return null;
  } else if (!recordId.safeParse(organizationId).success || !canActFor(user, organizationId)) return null;
  const { db } = await getDb();
  await recordAudit(db, {
    actor: actorOf(user),
    event: "connections_exported",
    outcome: "success",
    organizationId,
    detail: { filters: query.replace(/^\?/, "") || null },
  });
  const pieces = connectionsCsv(db, organizationId, filters, now);
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await pieces.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(first ? BOM + next.value : next.value));
      first = false;
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
}
