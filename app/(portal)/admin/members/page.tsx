import type { Metadata } from "next";
import Link from "next/link";
import { ButtonForm } from "@/components/admin/button-form";
import { EndSessionsButton } from "@/components/admin/end-sessions-button";
import { DateTime } from "@/components/date-time";
import { listPortalUsers, type AdminSource } from "@/lib/dal/members";
import { requireAdmin } from "@/lib/dal/session";
import { endUserSessionsAction } from "../sessions/actions";
import { demoteAdminAction, promoteAdminAction, removeMemberAction } from "../people-actions";
import { confirmEmailOwnerAction } from "./actions";
import { PageHeader } from "@/components/ui/page-title";
import { DataTable, TABLE_CARD } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "Members" };

const ADMIN_SOURCES: Record<AdminSource, string> = {
  configured: "Admin (PORTAL_ADMIN_EMAILS)",
  sandbox: "Admin (the sandbox's demo admin)",
  promoted: "Admin (made admin in the portal)",
};

const link =
  "font-medium text-sky-800 underline underline-offset-2 hover:text-sky-950 focus-visible:outline-2 " +
  "focus-visible:outline-offset-2 focus-visible:outline-sky-600";

export default async function AdminMembersPage() {
  const admin = await requireAdmin();
  const now = new Date();
  const people = await listPortalUsers(admin, now);
  const contested = people.filter((person) => person.contested);
  const cell = "px-3 py-3 align-top";

  return (
    <div className="space-y-8">
      <PageHeader context="Admin" title="Members">
        Everyone who signed in to the portal, with their organizations and rights. Removing someone from an organization
        signs them out everywhere at once. To add a member or invite someone who has not signed in yet, use{" "}
        <Link href="/admin/organizations" className={link}>
          Organizations
        </Link>
        . There is always at least one admin: nobody can remove their own admin rights.
      </PageHeader>

      {contested.length > 0 && (
        <section
          aria-labelledby="contested-title"
          className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-4"
        >
          <h2 id="contested-title" className="text-lg font-semibold text-amber-950">
            {contested.length === 1
              ? "An e-mail address changed hands"
              : `${contested.length} e-mail addresses changed hands`}
          </h2>
          <p className="max-w-prose text-sm leading-6 text-amber-950">
            Admin rights from PORTAL_ADMIN_EMAILS and invitations belong to the Apicbase user who first signed in with
            the address. Someone else signed in with it since: they got none of that. Confirm only when you know the
            address now belongs to them (for example, the previous owner left and Apicbase reassigned it).
          </p>
          <ul className="space-y-3">
            {contested.map((person) => {
              const claim = person.contested!;
              const grants = [
                claim.configuredAdmin ? "admin rights (PORTAL_ADMIN_EMAILS)" : null,
                claim.pendingInvitations > 0
                  ? `${claim.pendingInvitations} pending ` +
                    `${claim.pendingInvitations === 1 ? "invitation" : "invitations"}`
                  : null,
              ].filter((grant) => grant !== null);
              return (
                <li
                  key={person.id}
                  className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-white px-3 py-2 text-sm"
                >
                  <span className="text-slate-900">
                    <span className="font-medium">{person.email}</span> was Apicbase user {claim.boundApicbaseUserId};
                    it signed in as Apicbase user {person.apicbaseUserId}
                    {person.name ? ` (${person.name})` : ""}.{" "}
                    <span className="text-slate-700">
                      {grants.length > 0 ? `Withheld: ${grants.join(" and ")}.` : "Nothing withheld so far."}
                    </span>
                  </span>
                  {person.id === admin.id ? (
                    <span className="text-xs text-slate-600">This is you: another admin must confirm.</span>
                  ) : (
                    <ButtonForm
                      action={confirmEmailOwnerAction}
                      fields={{ userId: person.id }}
                      text="Confirm new owner"
                      pendingLabel="Confirming…"
                      label={`Confirm new owner of ${person.email}: Apicbase user ${person.apicbaseUserId}`}
                      confirm={{
                        title: `Give ${person.email} to Apicbase user ${person.apicbaseUserId}?`,
                        body:
                          (grants.length > 0 ? `They get ${grants.join(" and ")}. ` : "") +
                          `Apicbase user ${claim.boundApicbaseUserId} no longer gets anything through this address. ` +
                          "Recorded in the audit log.",
                        confirmText: "Yes, confirm",
                      }}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      )}

      {people.length === 0 ? (
        <p className="text-slate-700">Nobody has signed in yet.</p>
      ) : (
        <DataTable
          frame={TABLE_CARD}
          label="Portal users"
          caption="Portal users, their organizations, admin rights and sessions"
          cell={cell}
          columns={["Person", "Organizations", "Admin", "Sessions"]}
        >
          <tbody className="divide-y divide-slate-100">
            {people.map((person) => {
              const who = person.email ?? person.name ?? "this person";
              return (
                <tr key={person.id}>
                  <th scope="row" className={`${cell} text-left font-normal`}>
                    <span className="block font-medium text-slate-900">{person.name ?? person.email ?? "Unknown"}</span>
                    {person.name && person.email && <span className="block text-slate-600">{person.email}</span>}
                    <span className="block text-xs text-slate-500">
                      Apicbase user {person.apicbaseUserId} · first signed in{" "}
                      <DateTime date={person.firstSignInAt} now={now} />
                    </span>
                  </th>
                  <td className={cell}>
                    {person.organizations.length === 0 ? (
                      <span className="text-slate-600">None</span>
                    ) : (
                      <ul className="space-y-2">
                        {person.organizations.map((organization) => (
                          <li key={organization.id} className="flex flex-wrap items-center justify-between gap-2">
                            <span className="text-slate-900">{organization.name}</span>
                            <ButtonForm
                              action={removeMemberAction}
                              fields={{ organizationId: organization.id, userId: person.id }}
                              text="Remove"
                              pendingLabel="Removing…"
                              label={`Remove ${who} from ${organization.name}`}
                              variant="danger"
                              confirm={{
                                title: `Remove ${who} from ${organization.name}?`,
                                body:
                                  "They lose access to the organization's connections and are signed out of the " +
                                  "portal everywhere at once.",
                                confirmText: "Yes, remove",
                              }}
                            />
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className={cell}>
                    <span className={person.admin ? "font-medium text-slate-900" : "text-slate-600"}>
                      {person.admin
                        ? ADMIN_SOURCES[person.admin]
                        : person.contested?.configuredAdmin
                          ? "No: waiting for confirmation"
                          : "No"}
                    </span>
                    <div className="mt-2">
                      {person.admin === "promoted" && person.id !== admin.id && (
                        <ButtonForm
                          action={demoteAdminAction}
                          fields={{ userId: person.id }}
                          text="Remove admin rights"
                          pendingLabel="Saving…"
                          label={`Remove admin rights of ${who}`}
                        />
                      )}
                      {person.admin === null && person.email && !person.contested?.configuredAdmin && (
                        <ButtonForm
                          action={promoteAdminAction}
                          fields={{ email: person.email }}
                          text="Make admin"
                          pendingLabel="Saving…"
                          label={`Make admin: ${who}`}
                        />
                      )}
                      {person.id === admin.id && <span className="block text-xs text-slate-500">This is you.</span>}
                    </div>
                  </td>
                  <td className={`${cell} whitespace-nowrap`}>
                    {person.activeSessions === 0 ? (
                      <span className="text-slate-600">Not signed in</span>
                    ) : (
                      <div className="space-y-2">
                        <Link href={`/admin/sessions?user=${person.id}`} className={link}>
                          {person.activeSessions} active {person.activeSessions === 1 ? "session" : "sessions"}
                        </Link>
                        <EndSessionsButton action={endUserSessionsAction} userId={person.id} who={who} />
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </DataTable>
      )}
    </div>
  );
}
