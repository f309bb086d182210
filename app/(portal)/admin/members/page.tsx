import type { Metadata } from "next";
import Link from "next/link";
import { ButtonForm } from "@/components/admin/button-form";
import { DateTime } from "@/components/date-time";
import { listPortalUsers, type AdminSource } from "@/lib/dal/members";
import { requireAdmin } from "@/lib/dal/session";
import { endUserSessionsAction } from "../sessions/actions";
import { demoteMemberAction, promoteMemberAction, removeMembershipAction } from "./actions";

export const metadata: Metadata = { title: "Members" };

const ADMIN_SOURCES: Record<AdminSource, string> = {
  configured: "Admin (PORTAL_ADMIN_EMAILS)",
  sandbox: "Admin (the sandbox's demo admin)",
  promoted: "Admin (made admin in the portal)",
};

const link =
  "font-medium text-sky-800 underline underline-offset-2 hover:text-sky-950 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

export default async function AdminMembersPage() {
  const admin = await requireAdmin();
  const now = new Date();
  const people = await listPortalUsers(admin, now);
  const cell = "px-3 py-3 align-top";

  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <p className="text-sm font-medium text-slate-600">Admin</p>
        <h1 className="text-3xl font-bold tracking-tight text-slate-900">Members</h1>
        <p className="max-w-prose leading-7 text-slate-700">
          Everyone who signed in to the portal, with their organizations and rights. Removing someone from an
          organization signs them out everywhere at once. To add a member or invite someone who has not signed in
          yet, use{" "}
          <Link href="/admin/organizations" className={link}>
            Organizations
          </Link>
          . There is always at least one admin: nobody can remove their own admin rights.
        </p>
      </div>

      {people.length === 0 ? (
        <p className="text-slate-700">Nobody has signed in yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm" role="region" aria-label="Portal users" tabIndex={0}>
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Portal users, their organizations, admin rights and sessions</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
              <tr>
                <th scope="col" className={cell}>Person</th>
                <th scope="col" className={cell}>Organizations</th>
                <th scope="col" className={cell}>Admin</th>
                <th scope="col" className={cell}>Sessions</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {people.map((person) => {
                const who = person.email ?? person.name ?? "this person";
                return (
                  <tr key={person.id}>
                    <th scope="row" className={`${cell} text-left font-normal`}>
                      <span className="block font-medium text-slate-900">{person.name ?? person.email ?? "Unknown"}</span>
                      {person.name && person.email && <span className="block text-slate-600">{person.email}</span>}
                      <span className="block text-xs text-slate-500">
                        Apicbase user {person.apicbaseUserId} · first signed in <DateTime date={person.firstSignInAt} now={now} />
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
                                action={removeMembershipAction}
                                fields={{ organizationId: organization.id, userId: person.id }}
                                text="Remove"
                                pendingLabel="Removing…"
                                label={`Remove ${who} from ${organization.name}`}
                                variant="danger"
                                confirm={{
                                  title: `Remove ${who} from ${organization.name}?`,
                                  body: "They lose access to the organization's connections and are signed out of the portal everywhere at once.",
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
                        {person.admin ? ADMIN_SOURCES[person.admin] : "No"}
                      </span>
                      <div className="mt-2">
                        {person.admin === "promoted" && person.id !== admin.id && (
                          <ButtonForm
                            action={demoteMemberAction}
                            fields={{ userId: person.id }}
                            text="Remove admin rights"
                            pendingLabel="Saving…"
                            label={`Remove the admin rights of ${who}`}
                          />
                        )}
                        {person.admin === null && person.email && (
                          <ButtonForm
                            action={promoteMemberAction}
                            fields={{ email: person.email }}
                            text="Make admin"
                            pendingLabel="Saving…"
                            label={`Make ${who} a portal admin`}
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
                          <ButtonForm
                            action={endUserSessionsAction}
                            fields={{ userId: person.id }}
                            text="End all sessions"
                            pendingLabel="Ending…"
                            label={`End all sessions of ${who}`}
                            variant="danger"
                            confirm={{
                              title: `End all sessions of ${who}?`,
                              body: "They are signed out of the portal in every browser; their next click lands on the sign-in page.",
                              confirmText: "Yes, end all sessions",
                            }}
                          />
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
