import type { AuditEntryView } from "@/lib/audit-log/query";
import { cx } from "@/components/ui/classes";

type AuditOutcome = AuditEntryView["outcome"];

/** Success or failure in colour and in words (the colour is never the only signal). */
export function OutcomeBadge({ outcome }: { outcome: AuditOutcome }) {
  return outcome === "success" ? (
    <span
      className={cx(
        "inline-flex items-center gap-1.5 rounded-full bg-emerald-50 px-2 py-0.5",
        "text-xs font-semibold text-emerald-900 ring-1 ring-emerald-600/30 ring-inset",
      )}
    >
      <span aria-hidden="true" className="size-2 rounded-full bg-emerald-500" />
      Success
    </span>
  ) : (
    <span
      className={cx(
        "inline-flex items-center gap-1.5 rounded-full bg-red-50 px-2 py-0.5",
        "text-xs font-semibold text-red-800 ring-1 ring-red-600/40 ring-inset",
      )}
    >
      <span aria-hidden="true" className="size-2 rounded-full bg-red-600" />
      Failure
    </span>
  );
}
