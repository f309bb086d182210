import type { Metadata } from "next";
import Link from "next/link";
import { ManualCodeForm } from "@/components/connections/manual-code-form";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { buttonClasses } from "@/components/ui/button";
import { manualCodeAttempt } from "@/lib/dal/connect-flows";
import { requireMembership, requireUser } from "@/lib/dal/session";
import { cancelManualCodeAction, exchangeManualCodeAction } from "./actions";
import { PageTitle } from "@/components/ui/page-title";

export const metadata: Metadata = { title: "Paste the code from Apicbase" };

/** Manual code entry for an application without a redirect URL, for the attempt this browser started. */
export default async function ManualCodePage() {
  const user = await requireUser();
  const attempt = await manualCodeAttempt(user);
  if (!attempt) {
    return (
      <div className="mx-auto max-w-2xl space-y-6">
        <PageTitle>No connect attempt in progress</PageTitle>
        <p className="leading-7 text-slate-700">
          This page belongs to a connect attempt started with “Connect a library” in this browser. That attempt ended,
          is older than 15 minutes, or was started by someone else. Start again from your connections.
        </p>
        <Link href="/connections" className={buttonClasses("primary")}>
          Back to connections
        </Link>
      </div>
    );
  }
  const { organization } = await requireMembership(attempt.organizationId);
  const back = attempt.reauthorizing
    ? `/connections/${attempt.reauthorizing.connectionId}`
    : `/connections?organization=${organization.id}`;

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div className="space-y-2">
        <Link href={back} className="text-sm font-medium text-slate-600 underline-offset-2 hover:underline">
          ← {attempt.reauthorizing ? attempt.reauthorizing.libraryName : `Connections of ${organization.name}`}
        </Link>
        <PageTitle>
          {attempt.reauthorizing ? `Re-authorize “${attempt.reauthorizing.libraryName}”` : "Connect a library"} with a
          code
        </PageTitle>
        <p className="max-w-prose leading-7 text-slate-700">
          The application <strong className="font-semibold text-slate-900">{attempt.applicationName}</strong> has no
          redirect URL: Apicbase shows the authorization code on its own page instead of sending you back here, and the
          code works for 60 seconds only.
        </p>
      </div>

      <Card id="manual-code-card" title="Approve at Apicbase, then paste the code">
        <ManualCodeForm authorizeUrl={attempt.authorizeUrl} action={exchangeManualCodeAction} />
      </Card>

      <form action={cancelManualCodeAction}>
        <SubmitButton variant="secondary" pendingLabel="Cancelling…">
          Cancel this attempt
        </SubmitButton>
      </form>
    </div>
  );
}
