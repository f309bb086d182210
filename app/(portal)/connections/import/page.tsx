import type { Metadata } from "next";
import Link from "next/link";
import { Banner } from "@/components/connections/banner";
import { ScopeChips } from "@/components/connections/scope-chips";
import { TokenImportForm } from "@/components/connections/token-import-form";
import { DateTime } from "@/components/date-time";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { applicationsForNewConnections } from "@/lib/dal/applications";
import { pendingImportView, type PendingImportView } from "@/lib/dal/connect-flows";
import { requireSelectedOrganization } from "@/lib/dal/session";
import { firstParam, type SearchParams } from "@/lib/search-params";
import { cancelImportAction, checkImportAction, confirmImportAction } from "./actions";
import { PageTitle } from "@/components/ui/page-title";
import { FactRow } from "@/components/ui/fact";

export const metadata: Metadata = { title: "Import tokens" };

const IMPORT_ERRORS = {
  expired:
    "The checked tokens are no longer waiting here (after 15 minutes, in another browser, or already stored). " +
    "Nothing was stored: paste them again.",
} as const;

function Fact({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <FactRow
      layout="grid gap-1 py-3 sm:grid-cols-3 sm:gap-4"
      termClassName="text-sm font-medium text-slate-600"
      valueClassName="text-sm text-slate-900 sm:col-span-2"
      label={term}
    >
      {children}
    </FactRow>
  );
}

function Preview({ organizationId, found }: { organizationId: string; found: PendingImportView }) {
  const now = new Date();
  return (
    <Card
      id="import-found"
      title="What Apicbase says about these tokens"
      description="Nothing is stored yet. Check that this is the library you expect, then store the connection."
    >
      <dl className="divide-y divide-slate-100">
        <Fact term="Library">
          {found.library.name}{" "}
          <span className="text-slate-600">(library {found.library.id}, the user&apos;s active library now)</span>
        </Fact>
        <Fact term="Apicbase user">
          {found.user.name} · {found.user.email}
        </Fact>
        <Fact term="Application">{found.applicationName}</Fact>
        <Fact term="Scopes">
          <ScopeChips scopes={found.scopes} label="Scopes of the imported tokens" />
        </Fact>
        <Fact term="Access token expires">
          <DateTime date={found.expiresAt} now={now} />
        </Fact>
      </dl>
      {found.refreshed && (
        <p className="mt-4 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
          The access token you pasted had expired, so the portal refreshed it once with the refresh token. The pair you
          pasted no longer works; the new pair waits here, encrypted, for 15 minutes. Store it now or it is lost.
        </p>
      )}
      {found.existingConnectionId && (
        <p className="mt-4 rounded-lg border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-950">
          {found.library.name} is already connected to this organization: storing replaces that{" "}
          <Link
            href={`/connections/${found.existingConnectionId}`}
            className="font-medium underline underline-offset-2"
          >
            connection&apos;s
          </Link>{" "}
          tokens in place (same connection, history kept).
        </p>
      )}
      <div className="mt-6 flex flex-wrap gap-3">
        <form action={confirmImportAction}>
          <input type="hidden" name="organizationId" value={organizationId} />
          <SubmitButton pendingLabel="Storing…">Store this connection</SubmitButton>
        </form>
        <form action={cancelImportAction}>
          <input type="hidden" name="organizationId" value={organizationId} />
          <SubmitButton variant="secondary" pendingLabel="Cancelling…">
            Cancel
          </SubmitButton>
        </form>
      </div>
    </Card>
  );
}

/**
 * Token import: a pair generated in Apicbase's UI becomes a connection once Apicbase confirmed it and the partner
 * agreed.
 */
export default async function ImportTokensPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { user, organization } = await requireSelectedOrganization(params.organization);
  const [found, applications] = await Promise.all([
    pendingImportView(user, organization.id),
    applicationsForNewConnections(user),
  ]);
  const importError = firstParam(params.import_error);
  const here = `/connections/import?organization=${organization.id}`;

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div className="space-y-2">
        <Link
          href={`/connections?organization=${organization.id}`}
          className="text-sm font-medium text-slate-600 underline-offset-2 hover:underline"
        >
          ← Connections of {organization.name}
        </Link>
        <PageTitle>Import tokens from Apicbase</PageTitle>
        <p className="max-w-prose leading-7 text-slate-700">
          A library owner can generate a token pair in Apicbase and hand it to you. Paste it here: the portal asks
          Apicbase which library and user it reaches, shows you, and stores the connection only when you confirm. From
          then on the portal refreshes it like any other connection.
        </p>
      </div>
      {importError === "expired" && <Banner tone="error" message={IMPORT_ERRORS.expired} dismissHref={here} />}
      {found ? (
        <Preview organizationId={organization.id} found={found} />
      ) : (
        <Card id="import-tokens" title="Paste the tokens">
          <TokenImportForm action={checkImportAction} organizationId={organization.id} applications={applications} />
        </Card>
      )}
    </div>
  );
}
