import Link from "next/link";
import { NowProvider } from "@/components/connections/now";
import { DateTime } from "@/components/date-time";
import type { AuditEntryView } from "@/lib/audit-log/query";
import { OutcomeBadge } from "./outcome-badge";
import { DataTable, TABLE_CARD } from "@/components/ui/data-table";
import { cx } from "@/components/ui/classes";

const cell = "px-3 py-2.5 align-top";
const link =
  "font-medium text-sky-800 underline underline-offset-2 hover:text-sky-950 focus-visible:outline-2 " +
  "focus-visible:outline-offset-2 focus-visible:outline-sky-600";

/** Audit entries, newest first: when, what, who, where, and the detail in words (never a token or secret). */
export function AuditTable({ entries, now }: { entries: AuditEntryView[]; now: Date }) {
  return (
    <NowProvider renderedAt={now.toISOString()}>
      <DataTable
        frame={TABLE_CARD}
        label="Audit entries"
        caption="Audit log entries, newest first"
        cell={cell}
        columns={["When", "Event", "Actor", "Organization · connection", "Details"]}
      >
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
                {entry.apicbaseError && (
                  // A success with an Apicbase error is e.g. a credentials test, where invalid_grant for a made-up
                  // code is the answer hoped for.
                  <span className="mt-1 block">
                    {entry.outcome === "failure" ? "Apicbase error:" : "Apicbase answered:"}{" "}
                    <code
                      className={cx(
                        "rounded px-1 font-mono text-xs",
                        entry.outcome === "failure" ? "bg-red-50 text-red-800" : "bg-slate-100 text-slate-800",
                      )}
                    >
                      {entry.apicbaseError}
                    </code>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </NowProvider>
  );
}
