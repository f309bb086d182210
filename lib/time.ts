// Largest first. No weeks: "in 6 days" and "next week" for one expiry, a second apart, read as two different times.
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

// numeric "always": "1 day ago", never "yesterday" beside "2 days ago".
const relative = new Intl.RelativeTimeFormat("en", { numeric: "always" });

/**
 * The portal's one relative format: "just now", "5 minutes ago", "in 6 days" (the largest whole unit, rounded toward
 * zero), "in less than a minute". Shown next to the absolute time (formatAbsolute) everywhere.
 */
export function formatRelative(date: Date, now: Date): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 45) return seconds > 0 ? "in less than a minute" : "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return relative.format(Math.sign(seconds), "minute");
}

/**
 * formatRelative for a moment that has happened (an event, the last refresh): never "in less than a minute". The
 * page's clock is whole seconds, and a browser's clock can run a few seconds behind the server's, so an event stored
 * a moment ago can be a little ahead of it.
 */
export function formatPast(date: Date, now: Date): string {
  return formatRelative(date.getTime() > now.getTime() ? now : date, now);
}

const absolute = new Map<string, Intl.DateTimeFormat>();

function absoluteFormat(timeZone: string): Intl.DateTimeFormat {
  let format = absolute.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone,
      timeZoneName: "short",
      hourCycle: "h23",
    });
    absolute.set(timeZone, format);
  }
  return format;
}

/**
 * "27 Nov 2026, 15:03 CET": times are stored in UTC and shown in the viewer's time zone, named. Server-rendered text
 * (and an unknown zone) uses UTC; pages pass the browser's zone (components/connections/now.tsx, useTimeZone).
 */
export function formatAbsolute(date: Date, timeZone = "UTC"): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = absoluteFormat(timeZone).formatToParts(date);
  } catch {
    parts = absoluteFormat("UTC").formatToParts(date);
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? "";
  return `${get("day")} ${get("month")} ${get("year")}, ${get("hour")}:${get("minute")} ${get("timeZoneName")}`;
}
