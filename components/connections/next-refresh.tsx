"use client";

import type { ConnectionView } from "@/lib/connections/view";
import { formatAbsolute, formatRelative } from "@/lib/time";
import { useNow, useTimeZone } from "./now";

/**
 * "Next automatic refresh at …", from the lifecycle engine's schedule (`next_refresh_at`): when the background
 * refresher
 * takes this connection up next, or why it will not.
 */
export function NextRefresh({ connection, compact = false }: { connection: ConnectionView; compact?: boolean }) {
  const now = useNow();
  const timeZone = useTimeZone();
  const muted = "text-slate-600";
  if (connection.status === "needs_reauthorization") return <span className={muted}>None: re-authorize it first</span>;
  if (connection.status === "revoked" || connection.status === "revoking")
    return <span className={muted}>None: disconnected</span>;
  if (!connection.nextRefreshAt) return <span className={muted}>Not planned yet (planned within 10 minutes)</span>;
  const planned = new Date(connection.nextRefreshAt);
  const paused = connection.refreshPausedUntil ? new Date(connection.refreshPausedUntil) : null;
  const at = paused && paused > planned ? paused : planned;
  const due = at <= now;
  return (
    <span>
      {due ? (
        <span>Due now</span>
      ) : (
        <>
          <time dateTime={at.toISOString()}>{formatRelative(at, now)}</time>{" "}
          <span className="text-slate-500">({formatAbsolute(at, timeZone)})</span>
        </>
      )}
      {!compact && connection.status === "refresh_failing" && (
        <span className={`block ${muted}`}>A retry after the last failure, with a growing wait.</span>
      )}
      {!compact && paused && paused > now && (
        <span className={`block ${muted}`}>
          Its application&apos;s refreshes are paused: Apicbase refused the application&apos;s credentials.
        </span>
      )}
    </span>
  );
}
