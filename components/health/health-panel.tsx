import Link from "next/link";
import type { HealthOverview, TimelineEvent } from "@/lib/health/queries";
import { historyLabel } from "@/lib/messages/history";
import { HeaderRow } from "@/components/ui/data-table";

/**
 * Health over time, drawn on the server as SVG (no chart code reaches the browser): refreshes per day of the last 30
 * days, succeeded and failed stacked, with the days connections came to need re-authorization marked; the same numbers
 * as a table for screen readers and anyone who prefers one.
 */
const WIDTH = 720;
const HEIGHT = 160;
const PAD = { top: 12, right: 8, bottom: 24, left: 32 };
const numberFormat = new Intl.NumberFormat("en");
const shortDate = (iso: string) =>
  new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/**
 * One count of the panel: in its `tone` when above zero (good or bad news), plain at zero; a link to the matching list
 * when `href` is given and there is something to see.
 */
function Tile({ label, count, tone, href }: { label: string; count: number; tone: string; href?: string }) {
  const shown = numberFormat.format(count);
  return (
    <div className="rounded-lg border border-slate-200 bg-slate-50 px-4 py-3">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className={`text-2xl font-semibold ${count > 0 ? tone : "text-slate-900"}`}>
        {href && count > 0 ? (
          <Link href={href} className="underline underline-offset-2">
            {shown}
          </Link>
        ) : (
          shown
        )}
      </dd>
    </div>
  );
}

export function HealthPanel({
  health,
  title,
  needsReauthorizationHref,
  expiringHref,
}: {
  health: HealthOverview;
  title: string;
  needsReauthorizationHref?: string;
  expiringHref?: string;
}) {
  const { days } = health;
  const max = Math.max(1, ...days.map((d) => d.succeeded + d.failed));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = plotWidth / days.length;
  const barWidth = Math.max(2, step * 0.7);
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight;
  const broke = days.reduce((sum, d) => sum + d.newlyNeedingReauthorization, 0);
  const summary =
    `Refreshes over the last ${days.length} days: ${numberFormat.format(health.totals.succeeded)} succeeded, ` +
    `${numberFormat.format(health.totals.failed)} failed; ${broke} time${broke === 1 ? "" : "s"} a connection came ` +
    `to need re-authorization.`;
  return (
    <section
      aria-labelledby="health-title"
      className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
    >
      <div>
        <h2 id="health-title" className="text-lg font-semibold text-slate-900">
          {title}
        </h2>
        <p className="mt-1 text-sm text-slate-600">{summary}</p>
      </div>
      <dl className="grid gap-3 sm:grid-cols-4">
        <Tile
          label="Needing re-authorization now"
          count={health.needsReauthorization}
          tone="text-red-800"
          href={needsReauthorizationHref}
        />
        <Tile label="Expiring within 48 h" count={health.expiringSoon} tone="text-amber-800" href={expiringHref} />
        <Tile label="Refreshes succeeded (30 days)" count={health.totals.succeeded} tone="text-emerald-800" />
        <Tile label="Refreshes failed (30 days)" count={health.totals.failed} tone="text-red-800" />
      </dl>
      <figure className="space-y-2">
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full" role="img" aria-label={summary}>
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} className="stroke-slate-300" />
          <text x={PAD.left - 6} y={y(max) + 4} textAnchor="end" className="fill-slate-500 text-[10px]">
            {max}
          </text>
          <text x={PAD.left - 6} y={y(0)} textAnchor="end" className="fill-slate-500 text-[10px]">
            0
          </text>
          {days.map((d, index) => {
            const x = PAD.left + index * step + (step - barWidth) / 2;
            return (
              <g key={d.date}>
                <title>
                  {`${shortDate(d.date)}: ${d.succeeded} succeeded, ${d.failed} failed` +
                    (d.newlyNeedingReauthorization
                      ? `, ${d.newlyNeedingReauthorization} came to need re-authorization`
                      : "")}
                </title>
                <rect
                  x={x}
                  width={barWidth}
                  y={y(d.succeeded)}
                  height={y(0) - y(d.succeeded)}
                  className="fill-emerald-600"
                />
                <rect
                  x={x}
                  width={barWidth}
                  y={y(d.succeeded + d.failed)}
                  height={y(d.succeeded) - y(d.succeeded + d.failed)}
                  className="fill-red-600"
                />
                {d.newlyNeedingReauthorization > 0 && (
                  <circle cx={x + barWidth / 2} cy={PAD.top - 4} r={3.5} className="fill-amber-500" />
                )}
                {(index === 0 || index === days.length - 1 || index === Math.floor(days.length / 2)) && (
                  <text x={x + barWidth / 2} y={HEIGHT - 6} textAnchor="middle" className="fill-slate-500 text-[10px]">
                    {shortDate(d.date)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
        <figcaption className="flex flex-wrap gap-4 text-xs text-slate-600">
          <span>
            <span aria-hidden className="mr-1 inline-block size-2.5 bg-emerald-600" />
            Refreshes succeeded
          </span>
          <span>
            <span aria-hidden className="mr-1 inline-block size-2.5 bg-red-600" />
            Refreshes failed
          </span>
          <span>
            <span aria-hidden className="mr-1 inline-block size-2.5 rounded-full bg-amber-500" />A connection came to
            need re-authorization
          </span>
          <span>Days in UTC.</span>
        </figcaption>
      </figure>
      <details className="text-sm">
        <summary className="cursor-pointer font-medium text-slate-900">Show the numbers as a table</summary>
        <div className="mt-2 overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-200">
            <caption className="sr-only">Refreshes per day, last {days.length} days</caption>
            <thead className="text-left text-xs text-slate-600 uppercase">
              <HeaderRow
                columns={["Day (UTC)", "Succeeded", "Failed", "Came to need re-authorization"]}
                cell="px-2 py-1"
              />
            </thead>
            <tbody className="divide-y divide-slate-100">
              {[...days].reverse().map((d) => (
                <tr key={d.date}>
                  <th scope="row" className="px-2 py-1 text-left font-normal">
                    {shortDate(d.date)}
                  </th>
                  <td className="px-2 py-1">{d.succeeded}</td>
                  <td className="px-2 py-1">{d.failed}</td>
                  <td className="px-2 py-1">{d.newlyNeedingReauthorization}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

const TONE: Record<string, string> = {
  success: "fill-emerald-600",
  failure: "fill-red-600",
};

/** One connection's token events of the last 30 days on a time line; the History table is its text form. */
export function ConnectionTimeline({ events, now }: { events: TimelineEvent[]; now: Date }) {
  const start = now.getTime() - 30 * 24 * 3600_000;
  const width = 720;
  const x = (iso: string) => 8 + ((new Date(iso).getTime() - start) / (now.getTime() - start)) * (width - 16);
  const failures = events.filter((e) => e.outcome === "failure").length;
  const summary =
    events.length === 0
      ? "No token events in the last 30 days."
      : `${events.length} token events in the last 30 days, ${failures} of them failures.`;
  return (
    <section aria-labelledby="timeline-title" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="timeline-title" className="text-lg font-semibold text-slate-900">
        Last 30 days
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        {summary} Each mark is one event; the History above lists them in words.
      </p>
      <svg viewBox={`0 0 ${width} 44`} className="mt-3 h-auto w-full" role="img" aria-label={summary}>
        <line x1={8} x2={width - 8} y1={22} y2={22} className="stroke-slate-300" />
        {events.map((event, index) => (
          <circle
            key={index}
            cx={x(event.at)}
            cy={22}
            r={event.outcome === "failure" ? 6 : 4.5}
            className={`${TONE[event.outcome]} stroke-white`}
          >
            <title>
              {`${new Date(event.at).toISOString().replace("T", " ").slice(0, 16)} UTC: ` +
                historyLabel({ ...event, detail: null }) +
                (event.apicbaseError ? ` (${event.apicbaseError})` : "")}
            </title>
          </circle>
        ))}
        <text x={8} y={42} className="fill-slate-500 text-[10px]">
          30 days ago
        </text>
        <text x={width - 8} y={42} textAnchor="end" className="fill-slate-500 text-[10px]">
          now
        </text>
      </svg>
    </section>
  );
}
