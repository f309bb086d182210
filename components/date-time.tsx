import { formatAbsolute, formatRelative } from "@/lib/time";

/** A moment both ways: "5 minutes ago (27 Nov 2026, 14:03 UTC)". */
export function DateTime({ date, now = new Date() }: { date: Date; now?: Date }) {
  return (
    <span>
      <time dateTime={date.toISOString()}>{formatRelative(date, now)}</time>{" "}
      <span className="text-slate-500">({formatAbsolute(date)})</span>
    </span>
  );
}
