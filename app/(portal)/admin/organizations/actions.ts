"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/dal/actions";
import { addMember, createOrganization, removeInvitation } from "@/lib/dal/organizations";
import { addMemberForm, createOrganizationForm, failure, removeInvitationForm } from "@/lib/forms";

const PAGE = "/admin/organizations";
const GONE = "Nothing was changed: this organization no longer exists. Reload the page.";

export const createOrganizationAction = action(
  { name: "create_organization", access: "admin", schema: createOrganizationForm },
  async ({ user: admin }, { name }) => {
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

export const addMemberAction = action(
  { name: "add_member", access: "admin", schema: addMemberForm },
  async ({ user: admin }, { organizationId, email }) => {
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
        return failure(GONE);
    }
  },
);

export const removeInvitationAction = action(
  { name: "remove_invitation", access: "admin", schema: removeInvitationForm },
  async ({ user: admin }, { organizationId, invitationId }) => {
    if (!(await removeInvitation(admin, organizationId, invitationId))) {
      return failure(
        "This invitation is gone: it was withdrawn, or the person signed in and became a member. Reload the page.",
      );
    }
    revalidatePath(PAGE);
    return { ok: true, message: "Invitation withdrawn." };
  },
);
