import type { Metadata } from "next";
import { CreateOrganizationForm } from "@/components/admin/create-organization-form";
import { OrganizationCard } from "@/components/admin/organization-card";
import { PromoteAdminForm } from "@/components/admin/promote-admin-form";
import { RemoveForm } from "@/components/admin/remove-form";
import { Card } from "@/components/ui/card";
import { listAdmins } from "@/lib/dal/admins";
import { connectionHealthByOrganization } from "@/lib/dal/connection-queries";
import { listOrganizations } from "@/lib/dal/organizations";
import { requireAdmin } from "@/lib/dal/session";
import { demoteAdminAction, promoteAdminAction, removeMemberAction } from "../people-actions";
import { addMemberAction, createOrganizationAction, removeInvitationAction } from "./actions";
import { PageHeader, PageSection } from "@/components/ui/page-title";

export const metadata: Metadata = { title: "Organizations" };

const ADMIN_SOURCES = {
  configured: "From PORTAL_ADMIN_EMAILS",
  sandbox: "The local sandbox's demo admin (PORTAL_ADMIN_EMAILS is not set)",
  promoted: "Made admin in the portal",
} as const;

export default async function AdminOrganizationsPage() {
  const admin = await requireAdmin();
  const now = new Date();
  const [organizations, admins, health] = await Promise.all([
    listOrganizations(admin),
    listAdmins(admin),
    connectionHealthByOrganization(admin, now),
  ]);
  const memberActions = {
    addMember: addMemberAction,
    removeMember: removeMemberAction,
    removeInvitation: removeInvitationAction,
  };

  return (
    <div className="space-y-10">
      <PageHeader context="Admin" title="Organizations">
        Every partner organization, the health of its connections and its members. Members see their own
        organization&apos;s connections; admins see all of them.
      </PageHeader>

      <Card id="create-organization" title="Create organization">
        <CreateOrganizationForm action={createOrganizationAction} />
      </Card>

      <PageSection
        id="organizations-title"
        title={
          <>
            All organizations <span className="font-normal text-slate-600">({organizations.length})</span>
          </>
        }
      >
        {organizations.length === 0 ? (
          <p className="text-slate-700">No organizations yet: create the first one above.</p>
        ) : (
          <ul className="space-y-4">
            {organizations.map((organization) => (
              <li key={organization.id}>
                <OrganizationCard
                  organization={organization}
                  health={health.get(organization.id)}
                  now={now}
                  actions={memberActions}
                />
              </li>
            ))}
          </ul>
        )}
      </PageSection>

      <Card
        id="admins"
        title="Portal admins"
        description={
          "Admins manage organizations and see every connection. " +
          "Admins from PORTAL_ADMIN_EMAILS change in the configuration."
        }
      >
        <ul className="divide-y divide-slate-100 text-sm">
          {admins.map((entry) => (
            <li key={entry.email} className="flex flex-wrap items-center justify-between gap-3 py-2">
              <span>
                <span className="font-medium text-slate-900">{entry.name ?? entry.email}</span>
                {entry.name && <span className="text-slate-600"> · {entry.email}</span>}
                <span className="block text-slate-600">{ADMIN_SOURCES[entry.source]}</span>
              </span>
              {entry.promotedUserId && entry.promotedUserId !== admin.id && (
                <RemoveForm
                  action={demoteAdminAction}
                  fields={{ userId: entry.promotedUserId }}
                  label={`Remove admin rights of ${entry.email}`}
                  text="Remove admin rights"
                />
              )}
            </li>
          ))}
        </ul>
        <div className="mt-6">
          <PromoteAdminForm action={promoteAdminAction} />
        </div>
      </Card>
    </div>
  );
}
