"use server";

import { action } from "@/lib/dal/actions";
import { demoteAdmin, promoteAdmin } from "@/lib/dal/admins";
import { removeMember } from "@/lib/dal/organizations";
import { demoteAdminForm, failure, promoteAdminForm, removeMemberForm } from "@/lib/forms";
import { revalidatePeoplePages } from "./revalidate";

// Promote, demote and remove: the same actions on the organizations and the members page, which both list people.

export const promoteAdminAction = action(
  { name: "promote_admin", access: "admin", schema: promoteAdminForm },
  async ({ user: admin }, { email }) => {
    const outcome = await promoteAdmin(admin, email);
    if (outcome === "unknown_user") {
      const why = "Nobody with this e-mail has signed in to the portal yet: they must sign in once first.";
      return { ok: false, message: `Nothing was changed. ${why}`, fieldErrors: { email: why } };
    }
    if (outcome === "already_admin") {
      const why = `${email} is already an admin.`;
      return { ok: false, message: `Nothing was changed: ${why}`, fieldErrors: { email: why } };
    }
    revalidatePeoplePages();
    return { ok: true, message: `${email} is now a portal admin.` };
  },
);

export const demoteAdminAction = action(
  { name: "demote_admin", access: "admin", schema: demoteAdminForm },
  async ({ user: admin }, { userId }) => {
    const outcome = await demoteAdmin(admin, userId);
    if (outcome === "self") return failure("You cannot take away your own admin rights: ask another admin.");
    if (outcome === "not_promoted") {
      return failure(
        "This person was no longer a promoted admin (admins from the configuration change there). Reload the page.",
      );
    }
    revalidatePeoplePages();
    return { ok: true, message: "Admin rights removed." };
  },
);

export const removeMemberAction = action(
  { name: "remove_member", access: "admin", schema: removeMemberForm },
  async ({ user: admin }, { organizationId, userId }) => {
    if (!(await removeMember(admin, organizationId, userId))) {
      return failure("This person was no longer a member. Reload the page.");
    }
    revalidatePeoplePages();
    return {
      ok: true,
      message:
        userId === admin.id
          ? "Removed. You stay signed in: your admin rights do not depend on a membership."
          : "Removed, and signed out of the portal everywhere.",
    };
  },
);
