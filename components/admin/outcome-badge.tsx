import type { AuditEntryView } from "@/lib/audit-log/query";
import { cx } from "@/components/ui/classes";

type AuditOutcome = AuditEntryView["outcome"];

const LOOKS: Record<AuditOutcome, { text: string; badge: string; dot: string }> = {
  success: { text: "Success", badge: "bg-emerald-50 text-emerald-900 ring-emerald-600/30", dot: "bg-emerald-500" },
  failure: { text: "Failure", badge: "bg-red-50 text-red-800 ring-red-600/40", dot: "bg-red-600" },
};

/** Success or failure in colour and in words (the colour is never the only signal). */
export function OutcomeBadge({ outcome }: { outcome: AuditOutcome }) {
  const look = LOOKS[outcome];
  return (
    <span
      className={cx(
        "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset",
        look.badge,
      )}
    >
      <span aria-hidden="true" className={cx("size-2 rounded-full", look.dot)} />
      {look.text}
    </span>
  );
}
