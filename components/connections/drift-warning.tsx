import type { DriftState } from "@/lib/connections/status";
import { DRIFT_TEXT } from "@/lib/messages/status";

/** The approving user's active library moved: the token reached another library than the one connected. */
export function DriftWarning({
  drift,
  connected,
  detailed = false,
}: {
  drift: DriftState | null;
  connected: { libraryId: number; libraryName: string };
  detailed?: boolean;
}) {
  if (!drift) return null;
  const reached = DRIFT_TEXT.library(drift.libraryId, drift.libraryName);
  return (
    <p
      role="note"
      data-drift={drift.stale ? "stale" : "current"}
      className={`flex items-start gap-1.5 rounded-md border px-2 py-1 text-xs font-medium ${
        drift.stale ? "border-slate-300 bg-slate-50 text-slate-800" : "border-amber-300 bg-amber-50 text-amber-950"
      }`}
    >
      <span aria-hidden="true">⚠</span>
      <span>
        {DRIFT_TEXT.short(reached, drift.stale)}
        {detailed && DRIFT_TEXT.detailed(DRIFT_TEXT.library(connected.libraryId, connected.libraryName))}
      </span>
    </p>
  );
}
