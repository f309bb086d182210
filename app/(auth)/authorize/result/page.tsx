import type { Metadata } from "next";
import { CONNECT_ERRORS, isConnectErrorKey } from "@/lib/connections/notices";
import { linkResultMessage } from "@/lib/messages/links";
import { linkResult } from "@/lib/dal/links";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Approval result" };
export const dynamic = "force-dynamic";

const OUTCOMES = ["connected", "updated", "reauthorized"] as const;
type Outcome = (typeof OUTCOMES)[number];
const isOutcome = (value: string | undefined): value is Outcome => OUTCOMES.includes(value as Outcome);

/**
 * Where the holder of an authorization link lands after Apicbase: what the approval did (a new connection, an update
 * of one the partner already had, a re-authorization), for which library, next to whom the link was made for.
 */
export default async function AuthorizationResultPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const outcome = firstParam(query.outcome);
  const linkId = firstParam(query.link);
  const link = await linkResult(linkId);

  if (!isOutcome(outcome)) {
    const message = isConnectErrorKey(outcome)
      ? outcome === "library_mismatch" && link.refusal
        ? link.refusal
        : CONNECT_ERRORS[outcome]
      : CONNECT_ERRORS.expired_attempt;
    return (
      <div className="space-y-4">
        <h1 className="text-3xl font-bold tracking-tight text-slate-900">Not connected</h1>
        <p role="status" className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 leading-7 text-amber-950">
          {message}
        </p>
        <p className="leading-7 text-slate-700">If the link still works, open it again to retry; otherwise ask the partner for a new one.</p>
      </div>
    );
  }

  // The outcome in the URL is only a hint; the link's own record says what happened when it has one.
  const result = linkResultMessage({ ...link, outcome: link.outcome ?? outcome });
  const tone = result.flagged ? "border-amber-300 bg-amber-50 text-amber-950" : "border-emerald-300 bg-emerald-50 text-emerald-900";
  return (
    <div className="space-y-4">
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">{result.title}</h1>
      <p role="status" className={`rounded-lg border px-4 py-3 leading-7 ${tone}`}>
        {result.message}
      </p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm">
        {link.customerLabel && (
          <>
            <dt className="font-medium text-slate-600">Link made for</dt>
            <dd className="text-slate-900">{link.customerLabel}</dd>
          </>
        )}
        <dt className="font-medium text-slate-600">Library connected</dt>
        <dd className="text-slate-900">
          {link.approvedLibrary ? `${link.approvedLibrary.name} (${link.approvedLibrary.id})` : (link.libraryName ?? "Your active library")}
        </dd>
        {link.approvedBy && (
          <>
            <dt className="font-medium text-slate-600">Approved by</dt>
            <dd className="text-slate-900">{link.approvedBy} (the user logged in at Apicbase)</dd>
          </>
        )}
      </dl>
      {result.flagged && (
        <p className="leading-7 text-slate-700">
          Meant another library? In Apicbase, log in as that library&apos;s user (log out first if someone else is logged
          in), make it your active library, and ask {link.organizationName ?? "the partner"} for a new link.
        </p>
      )}
      <p className="text-sm leading-6 text-slate-600">
        You can close this page. Apicbase keeps you logged in on its own site: log out there if this is a shared computer.
      </p>
    </div>
  );
}
