import { and, eq, gte } from "drizzle-orm";
import { latestConnectionEvent } from "@/lib/audit";
import { auditEvents, type DbExecutor } from "@/lib/db";

/** Who approved a re-authorization for the wrong library, and which library they had active in Apicbase. */
export type ReauthorizationRefusal = {
  at: Date;
  approvedBy: string | null;
  approvedLibrary: { id: number; name: string | null } | null;
};

/** How long after a refused re-authorization its page still explains it (the banner comes from the URL). */
export const REFUSAL_SHOWN_MS = 15 * 60_000;

/**
 * The latest refused re-authorization of a connection since `since`, from the audit log, where the refusal is kept
 * with its facts: the banner names them instead of a general sentence, and the URL carries no free text.
 */
export async function latestReauthorizationRefusal(
  db: DbExecutor,
  connectionId: string,
  since: Date,
): Promise<ReauthorizationRefusal | null> {
  const row = await latestConnectionEvent(
    db,
    connectionId,
    and(eq(auditEvents.event, "connection_reauthorization_refused"), gte(auditEvents.occurredAt, since)),
  );
  if (!row) return null;
  const detail = row.detail ?? {};
  const libraryId = typeof detail.approvedLibraryId === "number" ? detail.approvedLibraryId : null;
  return {
    at: row.occurredAt,
    approvedBy: typeof detail.approvedBy === "string" ? detail.approvedBy : null,
    approvedLibrary:
      libraryId === null
        ? null
        : { id: libraryId, name: typeof detail.approvedLibraryName === "string" ? detail.approvedLibraryName : null },
  };
}
