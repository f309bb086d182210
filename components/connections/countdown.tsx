"use client";

import type { TokenState } from "@/lib/connections/status";
import { formatCountdown } from "@/lib/duration";
import { TOKEN_TEXT } from "@/lib/messages/status";
import { formatAbsolute, formatPast, formatRelative } from "@/lib/time";
import { useNow, useTimeZone } from "./now";

/**
 * The access token's expiry as the derived state has it: a live countdown only for a token the portal believes
 * usable; an expired one says since when; a rejected, unused or deleted one says so, with no time at all.
 */
export function ExpiryCountdown({ token }: { token: TokenState }) {
  const now = useNow();
  const timeZone = useTimeZone();
  if (token.kind === "rejected")
    return <span className="block text-sm font-medium text-red-800">{TOKEN_TEXT.rejected}</span>;
  if (token.kind === "not_used") return <span className="text-sm text-slate-600">{TOKEN_TEXT.notUsed}</span>;
  if (token.kind === "deleted") return <span className="text-sm text-slate-600">{TOKEN_TEXT.deleted}</span>;
  if (!token.expiresAt) return <span className="text-sm text-slate-600">{TOKEN_TEXT.none}</span>;
  const until = token.expiresAt;
  const usable = token.kind === "usable" && until.getTime() > now.getTime();
  return (
    <span className="block text-sm">
      {usable ? (
        // role=timer: a live region that screen readers do not announce every second.
        <span role="timer" className="block font-medium text-slate-900 tabular-nums">
          {formatCountdown(until, now)}
        </span>
      ) : (
        <span className="block font-medium text-red-700">{formatCountdown(until, now)}</span>
      )}
      <time dateTime={until.toISOString()} className="block text-slate-600">
        {formatAbsolute(until, timeZone)}
      </time>
      <span className="block text-slate-500">{formatRelative(until, now)}</span>
    </span>
  );
}

/** A moment that has happened, relative (kept current by the page clock) and absolute in the viewer's time zone. */
export function LiveDateTime({ value, empty = "Never" }: { value: string | Date | null; empty?: string }) {
  const now = useNow();
  const timeZone = useTimeZone();
  if (!value) return <span className="text-slate-600">{empty}</span>;
  const date = typeof value === "string" ? new Date(value) : value;
  return (
    <span>
      <time dateTime={date.toISOString()}>{formatPast(date, now)}</time>{" "}
      <span className="text-slate-500">({formatAbsolute(date, timeZone)})</span>
    </span>
  );
}

/**
 * "5 minutes ago (27 Nov 2026, 15:03 CET)" as text, for sentences from the message catalog. "past" for moments that
 * have happened (formatPast: never "in less than a minute"), "any" for those that may lie ahead (a retry).
 */
export function useMoment(when: "past" | "any"): (date: Date | null) => string | null {
  const now = useNow();
  const timeZone = useTimeZone();
  const relative = when === "past" ? formatPast : formatRelative;
  return (date) => (date ? `${relative(date, now)} (${formatAbsolute(date, timeZone)})` : null);
}
