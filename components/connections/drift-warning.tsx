import type { ConnectionView } from "@/lib/connections/view";

/** The approving user's active library moved: the token now reads another library than the one connected. */
export function DriftWarning({ connection, detailed = false }: { connection: ConnectionView; detailed?: boolean }) {
  const drift = connection.drift;
  if (!drift) return null;
  const reached = drift.libraryName ? `${drift.libraryName} (${drift.libraryId})` : `library ${drift.libraryId}`;
  return (
    <p
      role="note"
      className="flex items-start gap-1.5 rounded-md border border-amber-300 bg-amber-50 px-2 py-1 text-xs font-medium text-amber-950"
    >
      <span aria-hidden="true">⚠</span>
      <span>
        Library drift: now reaches {reached}
        {detailed && (
          <>
            , not {connection.libraryName} ({connection.libraryId}). The approving user switched their active library
            in Apicbase, and Apicbase tokens follow it. Ask them to switch back, then verify again.
          </>
        )}
      </span>
    </p>
  );
}
