"use client";

import { formatCountdown } from "@/lib/duration";
import { formatAbsolute, formatRelative } from "@/lib/time";
import { useNow } from "./now";

/** The access token's expiry: a live countdown, then the absolute time and how far off that is. */
export function ExpiryCountdown({ expiresAt }: { expiresAt: string | null }) {
  const now = useNow();
  if (!expiresAt) return <span className="text-sm text-slate-600">No access token</span>;
  const until = new Date(expiresAt);
  const expired = until.getTime() <= now.getTime();
  return (
    <span className="block text-sm">
      {/* role=timer: a live region that screen readers do not announce every second. */}
      <span role="timer" className={`block font-medium tabular-nums ${expired ? "text-red-700" : "text-slate-900"}`}>
        {formatCountdown(until, now)}
      </span>
      <time dateTime={expiresAt} className="block text-slate-600">
        {formatAbsolute(until)}
      </time>
      <span className="block text-slate-500">{formatRelative(until, now)}</span>
    </span>
  );
}

/** A past moment, relative (kept current by the page clock) and absolute. */
export function LiveDateTime({ value, empty = "Never" }: { value: string | null; empty?: string }) {
  const now = useNow();
  if (!value) return <span className="text-slate-600">{empty}</span>;
  const date = new Date(value);
  return (
    <span>
      <time dateTime={value}>{formatRelative(date, now)}</time>{" "}
      <span className="text-slate-500">({formatAbsolute(date)})</span>
    </span>
  );
}
