"use server";

import { revalidatePath } from "next/cache";
import { adminAction } from "@/lib/dal/actions";
import { demoteAdmin, promoteAdmin } from "@/lib/dal/admins";
import { addMember, createOrganization, removeInvitation, removeMember } from "@/lib/dal/organizations";
import {
  addMemberForm,
  createOrganizationForm,
  demoteAdminForm,
  promoteAdminForm,
  removeInvitationForm,
  removeMemberForm,
} from "@/lib/forms";

const PAGE = "/admin/organizations";
const GONE = "Nothing was changed: this organization no longer exists. Reload the page.";

export const createOrganizationAction = adminAction(
  "create_organization",
  createOrganizationForm,
  async (admin, { name }) => {
    const result = await createOrganization(admin, name);
    if (result.outcome === "name_taken") {
      return {
        ok: false,
        message: "Nothing was created.",
        fieldErrors: {
          name: `An organization named "${name}" already exists (names are compared regardless of case).`,
        },
      };
    }
    revalidatePath(PAGE);
    return { ok: true, message: `Created "${name}".` };
  },
);

export const addMemberAction = adminAction("add_member", addMemberForm, async (admin, { organizationId, email }) => {
  const outcome = await addMember(admin, organizationId, email);
  switch (outcome) {
    case "added":
      revalidatePath(PAGE);
      return { ok: true, message: `Added ${email}: they are a member now.` };
    case "invited":
      revalidatePath(PAGE);
      return { ok: true, message: `Invited ${email}: they become a member when they first sign in with Apicbase.` };
    case "already_member":
      return { ok: false, message: "Nothing was changed.", fieldErrors: { email: `${email} is already a member.` } };
    case "already_invited":
      return { ok: false, message: "Nothing was changed.", fieldErrors: { email: `${email} is already invited.` } };
    case "no_organization":
      return { ok: false, message: GONE, fieldErrors: {} };
  }
});

export const removeMemberAction = adminAction(
  "remove_member",
  removeMemberForm,
  async (admin, { organizationId, userId }) => {
    if (!(await removeMember(admin, organizationId, userId))) {
      return { ok: false, message: "This person was no longer a member. Reload the page.", fieldErrors: {} };
    }
    revalidatePath(PAGE);
    return { ok: true, message: "Removed." };
  },
);

export const removeInvitationAction = adminAction(
  "remove_invitation",
  removeInvitationForm,
  async (admin, { organizationId, invitationId }) => {
    if (!(await removeInvitation(admin, organizationId, invitationId))) {
      return {
        ok: false,
        message:
          "This invitation is gone: it was withdrawn, or the person signed in and became a member. Reload the page.",
        fieldErrors: {},
      };
    }
    revalidatePath(PAGE);
    return { ok: true, message: "Invitation withdrawn." };
  },
);

export const promoteAdminAction = adminAction("promote_admin", promoteAdminForm, async (admin, { email }) => {
  const outcome = await promoteAdmin(admin, email);
  if (outcome === "unknown_user") {
    return {
      ok: false,
      message: "Nothing was changed.",
      fieldErrors: { email: "Nobody with this e-mail has signed in to the portal yet: they must sign in once first." },
    };
  }
  if (outcome === "already_admin") {
    return { ok: false, message: "Nothing was changed.", fieldErrors: { email: `${email} is already an admin.` } };
  }
  revalidatePath(PAGE);
  return { ok: true, message: `${email} is now a portal admin.` };
});

export const demoteAdminAction = adminAction("demote_admin", demoteAdminForm, async (admin, { userId }) => {
  const outcome = await demoteAdmin(admin, userId);
  if (outcome === "self") {
    return { ok: false, message: "You cannot take away your own admin rights: ask another admin.", fieldErrors: {} };
  }
  if (outcome === "not_promoted") {
    return { ok: false, message: "This person was no longer a promoted admin. Reload the page.", fieldErrors: {} };
  }
  revalidatePath(PAGE);
  return { ok: true, message: "Admin rights removed." };
});
