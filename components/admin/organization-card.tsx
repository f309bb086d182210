import Link from "next/link";
import { StatusBadge } from "@/components/connections/status-badge";
import { DateTime } from "@/components/date-time";
import { Card } from "@/components/ui/card";
import type { StatusCounts } from "@/lib/connections/overview";
import { DISPLAY_STATUSES } from "@/lib/connections/status";
import { connectionsHref } from "@/lib/connections/view";
import type { OrganizationView } from "@/lib/dal/organizations";
import { AddMemberForm } from "./add-member-form";
import type { FormAction } from "./form-action";
import { RemoveForm } from "./remove-form";
import { cx, FOCUS_RING } from "@/components/ui/classes";
import { HeaderRow } from "@/components/ui/data-table";
import { plural } from "@/lib/plural";

/**
 * One organization on the admin page: its connections' health (counts per status), its members, its pending
 * invitations, and a form to add someone.
 */
export function OrganizationCard({
  organization,
  health,
  now,
  actions,
}: {
  organization: OrganizationView;
  /** Its connections per status; undefined when it has none. */
  health: StatusCounts | undefined;
  now: Date;
  actions: {
    addMember: FormAction<"organizationId" | "email">;
    removeMember: FormAction<"organizationId" | "userId">;
    removeInvitation: FormAction<"organizationId" | "invitationId">;
  };
}) {
  const { id, name, members, invitations } = organization;
  return (
    <Card
      id={`organization-${id}`}
      title={name}
      headingLevel={3}
      description={
        <>
          {plural(members.length, "member", "members")}
          {invitations.length > 0 && ` · ${plural(invitations.length, "pending invitation", "pending invitations")}`} ·
          created <DateTime date={organization.createdAt} now={now} />
        </>
      }
    >
      <div className="space-y-6">
        <ConnectionHealth organizationId={id} name={name} health={health} />
        {members.length + invitations.length > 0 ? (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Members of {name}</caption>
            <thead className="border-b border-slate-200 text-slate-600">
              <HeaderRow
                columns={[
                  "Member",
                  "Since",
                  <span key="2" className="sr-only">
                    Actions
                  </span>,
                ]}
                cell="py-2 pr-4 font-medium"
                lastCell="py-2 font-medium"
              />
            </thead>
            <tbody className="divide-y divide-slate-100">
              {members.map((member) => (
                <tr key={member.userId}>
                  <td className="py-2 pr-4">
                    <span className="font-medium text-slate-900">{member.name ?? member.email}</span>
                    {member.name && member.email && <span className="block text-slate-600">{member.email}</span>}
                  </td>
                  <td className="py-2 pr-4 text-slate-700">
                    <DateTime date={member.joinedAt} now={now} />
                  </td>
                  <td className="py-2 text-right">
                    <RemoveForm
                      action={actions.removeMember}
                      fields={{ organizationId: id, userId: member.userId }}
                      label={`Remove ${member.email ?? member.name ?? "this member"} from ${name}`}
                      confirm={{
                        title: `Remove ${member.email ?? member.name ?? "this member"} from ${name}?`,
                        body:
                          "They lose access to the organization's connections and are signed out of the portal " +
                          "everywhere at once.",
                        confirmText: "Yes, remove",
                      }}
                    />
                  </td>
                </tr>
              ))}
              {invitations.map((invitation) => (
                <tr key={invitation.id}>
                  <td className="py-2 pr-4">
                    <span className="font-medium text-slate-900">{invitation.email}</span>
                    <span className="block text-slate-600">Pending: joins at first sign-in</span>
                  </td>
                  <td className="py-2 pr-4 text-slate-700">
                    Invited <DateTime date={invitation.invitedAt} now={now} />
                  </td>
                  <td className="py-2 text-right">
                    <RemoveForm
                      action={actions.removeInvitation}
                      fields={{ organizationId: id, invitationId: invitation.id }}
                      label={`Withdraw the invitation of ${invitation.email} to ${name}`}
                      text="Withdraw"
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="text-sm text-slate-600">No members yet.</p>
        )}
        <AddMemberForm action={actions.addMember} organizationId={id} organizationName={name} />
      </div>
    </Card>
  );
}

function ConnectionHealth({
  organizationId,
  name,
  health,
}: {
  organizationId: string;
  name: string;
  health: StatusCounts | undefined;
}) {
  const total = health ? Object.values(health).reduce((sum, n) => sum + n, 0) : 0;
  const link =
    "rounded font-semibold text-sky-800 underline-offset-2 hover:text-sky-950 hover:underline " +
    "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";
  return (
    <div className="text-sm">
      <h4 className="font-medium text-slate-900">
        Connections:{" "}
        <Link href={connectionsHref(organizationId, {})} className={link}>
          {plural(total, "connection", "connections")}
        </Link>
      </h4>
      {health && total > 0 ? (
        <ul aria-label={`Connections of ${name} by status`} className="mt-2 flex flex-wrap gap-2">
          {DISPLAY_STATUSES.filter((status) => health[status] > 0).map((status) => (
            <li key={status}>
              <Link
                href={connectionsHref(organizationId, { status })}
                className={cx("inline-flex items-center gap-1.5 rounded-full", FOCUS_RING)}
              >
                <StatusBadge status={status} />
                <span className="font-semibold text-slate-900">{health[status]}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-1 text-slate-600">
          No library connected yet: its members connect libraries from their dashboard.
        </p>
      )}
    </div>
  );
}
