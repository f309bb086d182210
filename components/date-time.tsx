"use client";

import { NowProvider, useNow, useTimeZone } from "@/components/connections/now";
import { formatAbsolute, formatRelative } from "@/lib/time";

/**
 * A moment both ways: "5 minutes ago (27 Nov 2026, 15:03 CET)", in the viewer's time zone, kept current. `now` is the
 * server's moment, so the first browser render matches the HTML.
 */
export function DateTime({ date, now }: { date: Date; now?: Date }) {
  return now ? (
    <NowProvider renderedAt={now.toISOString()}>
      <Moment date={date} />
    </NowProvider>
  ) : (
    <Moment date={date} />
  );
}

function Moment({ date }: { date: Date }) {
  const now = useNow();
  const timeZone = useTimeZone();
  return (
    <span>
      <time dateTime={date.toISOString()}>{formatRelative(date, now)}</time>{" "}
      <span className="text-slate-500">({formatAbsolute(date, timeZone)})</span>
    </span>
  );
}
