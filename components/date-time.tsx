"use client";

import { NowProvider, useNow, useTimeZone } from "@/components/connections/now";
import { formatAbsolute, formatRelative } from "@/lib/time";

/**
 * A moment both ways: "5 minutes ago (27 Nov 2026, 15:03 CET)", in the viewer's time zone, kept current. `now` is the
 * server's moment, so the first browser render matches the HTML.
 */
export function DateTime({ date, now, layout = "inline" }: { date: Date; now?: Date; layout?: Layout }) {
  return now ? (
    <NowProvider renderedAt={now.toISOString()}>
      <Moment date={date} layout={layout} />
    </NowProvider>
  ) : (
    <Moment date={date} layout={layout} />
  );
}

/** "inline": both on one line; "stacked": the relative time above the absolute one, smaller (table cells). */
type Layout = "inline" | "stacked";

function Moment({ date, layout }: { date: Date; layout: Layout }) {
  const now = useNow();
  const timeZone = useTimeZone();
  if (layout === "stacked")
    return (
      <>
        <time dateTime={date.toISOString()} className="block text-slate-900">
          {formatRelative(date, now)}
        </time>
        <span className="block text-xs text-slate-600">{formatAbsolute(date, timeZone)}</span>
      </>
    );
  return (
    <span>
      <time dateTime={date.toISOString()}>{formatRelative(date, now)}</time>{" "}
      <span className="text-slate-500">({formatAbsolute(date, timeZone)})</span>
    </span>
  );
}
