import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { requireMembership, requireUser } from "@/lib/dal/session";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Connections" };

export default async function ConnectionsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const organizationId = firstParam((await searchParams).organization) ?? user.memberships[0]?.organizationId;
  if (!organizationId) redirect(user.isAdmin ? "/admin/organizations" : "/no-organization");
  const { organization } = await requireMembership(organizationId);

  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <p className="text-sm font-medium text-slate-600">{organization.name}</p>
        <h1 className="text-3xl font-bold tracking-tight text-slate-900">Connections</h1>
        <p className="leading-7 text-slate-700">
          The Apicbase libraries connected to {organization.name}, with the state of each connection&apos;s tokens.
        </p>
      </div>

      {user.memberships.length > 1 && (
        <nav aria-label="Your organizations" className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-600">Your organizations:</span>
          {user.memberships.map((membership) => (
            <Link
              key={membership.organizationId}
              href={`/connections?organization=${membership.organizationId}`}
              aria-current={membership.organizationId === organization.id ? "page" : undefined}
              className="rounded-full border border-slate-300 px-3 py-1 font-medium text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 aria-[current=page]:border-slate-900 aria-[current=page]:bg-slate-900 aria-[current=page]:text-white"
            >
              {membership.organizationName}
            </Link>
          ))}
        </nav>
      )}

      <section
        aria-labelledby="empty-title"
        className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center"
      >
        <h2 id="empty-title" className="text-lg font-semibold text-slate-900">
          No library is connected yet
        </h2>
        <p className="mx-auto mt-2 max-w-prose leading-7 text-slate-700">
          When a customer&apos;s Apicbase library is connected to {organization.name}, it appears here with its
          status, scopes and token expiry.
        </p>
      </section>
    </div>
  );
}
