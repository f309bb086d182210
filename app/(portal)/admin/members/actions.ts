"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/dal/actions";
import { demoteAdmin, promoteAdmin } from "@/lib/dal/admins";
import { confirmEmailOwner } from "@/lib/dal/members";
import { removeMember } from "@/lib/dal/organizations";
import { confirmEmailOwnerForm, demoteAdminForm, promoteAdminForm, removeMemberForm } from "@/lib/forms";

function revalidateMemberPages() {
  revalidatePath("/admin/members");
  revalidatePath("/admin/organizations");
  revalidatePath("/admin/sessions");
}

export const promoteMemberAction = action(
  { name: "promote_admin", access: "admin", schema: promoteAdminForm },
  async ({ user: admin }, { email }) => {
    const outcome = await promoteAdmin(admin, email);
    if (outcome === "unknown_user")
      return { ok: false, message: "This person no longer has a portal account. Reload the page.", fieldErrors: {} };
    if (outcome === "already_admin") return { ok: false, message: `${email} is already an admin.`, fieldErrors: {} };
    revalidateMemberPages();
    return { ok: true, message: `${email} is now a portal admin.` };
  },
);

export const demoteMemberAction = action(
  { name: "demote_admin", access: "admin", schema: demoteAdminForm },
  async ({ user: admin }, { userId }) => {
    const outcome = await demoteAdmin(admin, userId);
    if (outcome === "self")
      return { ok: false, message: "You cannot take away your own admin rights: ask another admin.", fieldErrors: {} };
    if (outcome === "not_promoted") {
      return {
        ok: false,
        message: "This person was no longer a promoted admin (admins from the configuration change there).",
        fieldErrors: {},
      };
    }
    revalidateMemberPages();
    return { ok: true, message: "Admin rights removed." };
  },
);

export const removeMembershipAction = action(
  { name: "remove_member", access: "admin", schema: removeMemberForm },
  async ({ user: admin }, { organizationId, userId }) => {
    if (!(await removeMember(admin, organizationId, userId))) {
      return { ok: false, message: "This person was no longer a member. Reload the page.", fieldErrors: {} };
    }
    revalidateMemberPages();
    return {
      ok: true,
      message:
        userId === admin.id
          ? "Removed. You stay signed in: your admin rights do not depend on a membership."
          : "Removed, and signed out of the portal everywhere.",
    };
  },
);

export const confirmEmailOwnerAction = action(
  { name: "confirm_email_owner", access: "admin", schema: confirmEmailOwnerForm },
  async ({ user: admin }, { userId }) => {
    const result = await confirmEmailOwner(admin, userId);
    if (result.outcome === "self") {
      return {
        ok: false,
        message: "Another admin must confirm this: nobody confirms an e-mail address for themselves.",
        fieldErrors: {},
      };
    }
    if (result.outcome === "not_contested") {
      return {
        ok: false,
        message:
          "There is nothing to confirm any more (someone confirmed it, or the person signed in again). Reload the page.",
        fieldErrors: {},
      };
    }
    revalidateMemberPages();
    const joined = result.joinedOrganizations;
    return {
      ok: true,
      message: `${result.email} now belongs to this Apicbase user${joined > 0 ? `; ${joined} pending ${joined === 1 ? "invitation" : "invitations"} became memberships` : ""}.`,
    };
  },
);
