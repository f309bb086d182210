import type { DisplayStatus } from "@/lib/connections/status";
import { STATUS_LABELS } from "@/lib/messages/status";
import { cx } from "@/components/ui/classes";

/** Each state in words and in colour (the colour is never the only signal: the label always shows). */
const TONES: Record<DisplayStatus, { badge: string; dot: string }> = {
  active: { badge: "bg-emerald-50 text-emerald-900 ring-emerald-600/30", dot: "bg-emerald-500" },
  expiring_soon: { badge: "bg-amber-50 text-amber-900 ring-amber-600/40", dot: "bg-amber-500" },
  expired_refreshable: { badge: "bg-sky-50 text-sky-900 ring-sky-600/30", dot: "bg-sky-500" },
  refresh_failing: { badge: "bg-orange-50 text-orange-900 ring-orange-600/40", dot: "bg-orange-500" },
  needs_reauthorization: { badge: "bg-red-50 text-red-800 ring-red-600/40", dot: "bg-red-600" },
  revoking: { badge: "bg-slate-100 text-slate-800 ring-slate-500/30", dot: "bg-slate-400" },
  revoked: { badge: "bg-slate-100 text-slate-700 ring-slate-500/30", dot: "bg-slate-500" },
};

export function StatusBadge({ status }: { status: DisplayStatus }) {
  const tone = TONES[status];
  return (
    <span
      data-status={status}
      className={cx(
        "inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-semibold whitespace-nowrap",
        "ring-1 ring-inset",
        tone.badge,
      )}
    >
      <span aria-hidden="true" className={`size-2 rounded-full ${tone.dot}`} />
      {STATUS_LABELS[status]}
    </span>
  );
}
