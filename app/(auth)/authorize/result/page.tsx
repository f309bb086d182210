import type { Metadata } from "next";
import { headers } from "next/headers";
import { getKeyring } from "@/lib/connections/keyring";
import { LINK_RESULT_HEADER, openLinkResult } from "@/lib/connections/link-result";
import { isConnectErrorKey } from "@/lib/connections/notices";
import { CONNECT_ERRORS } from "@/lib/messages/connect";
import { linkResultMessage } from "@/lib/messages/links";
import { linkResult } from "@/lib/dal/links";
import { PageTitle } from "@/components/ui/page-title";
import { DETAILS_LIST } from "@/components/ui/classes";

export const metadata: Metadata = { title: "Approval result" };
export const dynamic = "force-dynamic";

const OUTCOMES = ["connected", "updated", "reauthorized"] as const;
type Outcome = (typeof OUTCOMES)[number];
const isOutcome = (value: string | undefined): value is Outcome => OUTCOMES.includes(value as Outcome);

/** The result proxy.ts handed over for this view, if it is genuine and fresh. */
function handedOverResult(sealed: string | null) {
  return openLinkResult(getKeyring(), sealed, Date.now());
}

/**
 * Where the holder of an authorization link lands after Apicbase: what the approval did (a new connection, an update
 * of one the partner already had, a re-authorization), for which library, next to whom the link was made for. The
 * outcome comes only from the sealed, single-use cookie the connect callback set (proxy.ts hands it over for this one
 * view), never from the URL; without it, the page says that there is nothing to show.
 */
export default async function AuthorizationResultPage() {
  const handed = handedOverResult((await headers()).get(LINK_RESULT_HEADER));
  if (!handed) {
    return (
      <div className="space-y-4">
        <PageTitle>No result to show</PageTitle>
        <p role="status" className="rounded-lg border border-slate-300 bg-slate-50 px-4 py-3 leading-7 text-slate-800">
          This page shows the outcome of an approval once, right after Apicbase sends you back. There is none for this
          browser now (the page was reloaded, opened later, or opened from somewhere else).
        </p>
        <p className="leading-7 text-slate-700">
          To approve again, open the link you were sent; if it no longer works, ask the partner for a new one.
        </p>
      </div>
    );
  }
  const outcome: string = handed.outcome;
  const link = await linkResult(handed.linkId ?? undefined);

  if (!isOutcome(outcome)) {
    const message = isConnectErrorKey(outcome)
      ? outcome === "library_mismatch" && link.refusal
        ? link.refusal
        : CONNECT_ERRORS[outcome]
      : CONNECT_ERRORS.expired_attempt;
    return (
      <div className="space-y-4">
        <PageTitle>Not connected</PageTitle>
        <p role="status" className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 leading-7 text-amber-950">
          {message}
        </p>
        <p className="leading-7 text-slate-700">
          If the link still works, open it again to retry; otherwise ask the partner for a new one.
        </p>
      </div>
    );
  }

  // The link's own record says what happened when it has one.
  const result = linkResultMessage({ ...link, outcome: link.outcome ?? outcome });
  const tone = result.flagged
    ? "border-amber-300 bg-amber-50 text-amber-950"
    : "border-emerald-300 bg-emerald-50 text-emerald-900";
  return (
    <div className="space-y-4">
      <PageTitle>{result.title}</PageTitle>
      <p role="status" className={`rounded-lg border px-4 py-3 leading-7 ${tone}`}>
        {result.message}
      </p>
      <dl className={DETAILS_LIST}>
        {link.customerLabel && (
          <>
            <dt className="font-medium text-slate-600">Link made for</dt>
            <dd className="text-slate-900">{link.customerLabel}</dd>
          </>
        )}
        <dt className="font-medium text-slate-600">Library connected</dt>
        <dd className="text-slate-900">
          {link.approvedLibrary
            ? `${link.approvedLibrary.name} (${link.approvedLibrary.id})`
            : (link.libraryName ?? "Your active library")}
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
          Meant another library? In Apicbase, log in as that library&apos;s user (log out first if someone else is
          logged in), make it your active library, and ask {link.organizationName ?? "the partner"} for a new link.
        </p>
      )}
      <p className="text-sm leading-6 text-slate-600">
        You can close this page. Apicbase keeps you logged in on its own site: log out there if this is a shared
        computer.
      </p>
    </div>
  );
}
