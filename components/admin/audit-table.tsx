import Link from "next/link";
import { NowProvider } from "@/components/connections/now";
import { DateTime } from "@/components/date-time";
import type { AuditEntryView } from "@/lib/audit-log/query";
import { OutcomeBadge } from "./outcome-badge";

const cell = "px-3 py-2.5 align-top";
const link =
  "font-medium text-sky-800 underline underline-offset-2 hover:text-sky-950 focus-visible:outline-2 " +
  "focus-visible:outline-offset-2 focus-visible:outline-sky-600";

/** Audit entries, newest first: when, what, who, where, and the detail in words (never a token or secret). */
export function AuditTable({ entries, now }: { entries: AuditEntryView[]; now: Date }) {
  return (
    <NowProvider renderedAt={now.toISOString()}>
      <div
        className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm"
        role="region"
        aria-label="Audit entries"
        tabIndex={0}
      >
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Audit log entries, newest first</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
            <tr>
              <th scope="col" className={cell}>
                When
              </th>
              <th scope="col" className={cell}>
                Event
              </th>
              <th scope="col" className={cell}>
                Actor
              </th>
              <th scope="col" className={cell}>
                Organization · connection
              </th>
              <th scope="col" className={cell}>
                Details
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td className={`${cell} whitespace-nowrap`}>
                  <DateTime date={new Date(entry.occurredAt)} layout="stacked" />
                </td>
                <td className={cell}>
                  <span className="block font-medium text-slate-900">{entry.eventLabel}</span>
                  <span className="mt-1 block">
                    <OutcomeBadge outcome={entry.outcome} />
                  </span>
                </td>
                <td className={`${cell} whitespace-nowrap text-slate-700`}>{entry.actor.label}</td>
                <td className={`${cell} text-slate-700`}>
                  {entry.organization ? (
                    <span className="block">{entry.organization.name ?? "A deleted organization"}</span>
                  ) : (
                    <span className="block text-slate-500">—</span>
                  )}
                  {entry.connection && (
                    <Link href={`/connections/${entry.connection.id}`} className={`${link} mt-1 block`}>
                      {entry.connection.libraryName
                        ? `${entry.connection.libraryName} (library ${entry.connection.libraryId})`
                        : "A removed connection"}
                      <span className="sr-only"> connection {entry.connection.id}</span>
                    </Link>
                  )}
                </td>
                <td className={`${cell} text-slate-700`}>
                  {entry.summary}
                  {entry.apicbaseError &&
                    (entry.outcome === "failure" ? (
                      <span className="mt-1 block">
                        Apicbase error:{" "}
                        <code className="rounded bg-red-50 px-1 font-mono text-xs text-red-800">
                          {entry.apicbaseError}
                        </code>
                      </span>
                    ) : (
                      // E.g. a credentials test, where invalid_grant for a made-up code is the answer hoped for.
                      <span className="mt-1 block">
                        Apicbase answered:{" "}
                        <code className="rounded bg-slate-100 px-1 font-mono text-xs text-slate-800">
                          {entry.apicbaseError}
                        </code>
                      </span>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </NowProvider>
  );
}
