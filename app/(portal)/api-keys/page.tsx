import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CreateApiKeyForm } from "@/components/api-keys/create-api-key-form";
import { RevokeApiKeyForm } from "@/components/api-keys/revoke-api-key-form";
import { DateTime } from "@/components/date-time";
import { OrganizationSwitcher } from "@/components/organization-switcher";
import { Card } from "@/components/ui/card";
import { apiKeysOf, proxiedCallsOf } from "@/lib/dal/api-keys";
import { portalOrigin } from "@/lib/dal/connections";
import { requireSelectedOrganization } from "@/lib/dal/session";
import type { SearchParams } from "@/lib/search-params";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";
import { PageHeader } from "@/components/ui/page-title";
import { CODE_BLOCK } from "@/components/ui/classes";

export const metadata: Metadata = { title: "API keys" };

const SCOPE_WORDS = {
  list: "list connections",
  token: "fetch access tokens",
  proxy: "call Apicbase through the proxy",
} as const;

/** The organization's keys for the token API: create (shown once), see when each was last used, revoke. */
export default async function ApiKeysPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { user, organization } = await requireSelectedOrganization(params.organization);
  const keys = await apiKeysOf(user, organization.id);
  if (!keys) notFound();
  const origin = await portalOrigin();
  const proxied = await proxiedCallsOf(user, organization.id);
  const now = new Date();
  const expired = (key: (typeof keys)[number]) => key.expiresAt !== null && key.expiresAt <= now;
  const active = keys.filter((key) => !key.revokedAt && !expired(key));

  return (
    <div className="space-y-8">
      <PageHeader context={organization.name} title="API keys">
        Your backends fetch a valid access token for any of {organization.name}&apos;s{" "}
        <Link
          href={`/connections?organization=${organization.id}`}
          className="font-medium text-sky-800 underline underline-offset-2"
        >
          connections
        </Link>{" "}
        with one of these keys. The portal refreshes tokens before they expire, so your jobs never handle refresh
        tokens.
      </PageHeader>

      <OrganizationSwitcher user={user} current={organization.id} path="/api-keys" />

      <Card id="create-api-key" title="Create an API key">
        <CreateApiKeyForm action={createApiKeyAction} organizationId={organization.id} />
      </Card>

      <Card id="api-keys" title={`Keys (${active.length} active)`}>
        {keys.length === 0 ? (
          <p className="text-slate-700">No keys yet: create the first one above.</p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {keys.map((key) => (
              <li key={key.id} className="flex flex-wrap items-start justify-between gap-3 py-3 text-sm">
                <div className="space-y-1">
                  <p className="font-medium text-slate-900">
                    {key.name}{" "}
                    <code className="ml-1 rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">
                      {key.prefix}…
                    </code>
                    {key.revokedAt && (
                      <span className="ml-2 rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-700">
                        Revoked
                      </span>
                    )}
                    {!key.revokedAt && expired(key) && (
                      <span className="ml-2 rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800">
                        Expired
                      </span>
                    )}
                  </p>
                  <p className="text-slate-600">
                    Created <DateTime date={key.createdAt} now={now} />
                    {key.createdBy && <> by {key.createdBy}</>}
                  </p>
                  <p className="text-slate-600">May {key.scopes.map((scope) => SCOPE_WORDS[scope]).join(", ")}.</p>
                  {key.revokedAt && (
                    <p className="text-slate-600">
                      Revoked <DateTime date={key.revokedAt} now={now} />
                    </p>
                  )}
                  {key.expiresAt && !key.revokedAt && (
                    <p className={expired(key) ? "font-medium text-red-800" : "text-slate-600"}>
                      {expired(key) ? "Expired" : "Expires"} <DateTime date={key.expiresAt} now={now} />
                    </p>
                  )}
                  <p className="text-slate-600">
                    {key.lastUsedAt ? (
                      <>
                        Last used <DateTime date={key.lastUsedAt} now={now} />
                        {key.lastUsedAddress && <> from {key.lastUsedAddress}</>}
                      </>
                    ) : (
                      "Never used"
                    )}
                    {proxied.get(key.id) && (
                      <> · {proxied.get(key.id)!.calls} calls through the proxy in the last 24 hours</>
                    )}
                  </p>
                </div>
                {!key.revokedAt && (
                  <RevokeApiKeyForm
                    action={revokeApiKeyAction}
                    organizationId={organization.id}
                    apiKeyId={key.id}
                    name={key.name}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card id="token-api-usage" title="Using a key">
        <div className="space-y-3 text-sm leading-6 text-slate-700">
          <p>
            List the connections, then ask for a connection&apos;s access token. The answer is valid for at least{" "}
            <code>min_valid_seconds</code> (default 600): the portal refreshes it first when needed.
          </p>
          <pre
            // Focusable, so keyboard users can scroll it sideways.
            tabIndex={0}
            className={CODE_BLOCK}
          >
            {`curl -H "Authorization: Bearer $PORTAL_API_KEY" ${origin}/api/v1/connections
curl -H "Authorization: Bearer $PORTAL_API_KEY" \\
  "${origin}/api/v1/connections/<connection id>/access-token?min_valid_seconds=600"`}
          </pre>
          <p>
            Errors come as JSON with a stable <code>error</code> code: 401 <code>invalid_api_key</code>, 403{" "}
            <code>forbidden</code> (the key may not do this), 404 <code>not_found</code>, 409{" "}
            <code>needs_reauthorization</code> or <code>connection_revoked</code>,{" "}
            <>
              429 <code>rate_limited</code> (see <code>Retry-After</code>)
            </>
            , 503 <code>refresh_failed</code>.
          </p>
          <p>
            <Link
              href={`/api-keys/reference?organization=${organization.id}`}
              className="font-medium text-sky-800 underline underline-offset-2"
            >
              The API reference
            </Link>{" "}
            lists every endpoint, parameter and answer, with examples to copy: lookup by Apicbase library id, and
            calling Apicbase&apos;s API through the portal. The same as OpenAPI 3.1:{" "}
            <code>{origin}/api/v1/openapi.json</code>.
          </p>
        </div>
      </Card>
    </div>
  );
}
