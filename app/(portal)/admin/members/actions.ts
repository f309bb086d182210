"use server";

import { action } from "@/lib/dal/actions";
import { confirmEmailOwner } from "@/lib/dal/members";
import { confirmEmailOwnerForm, failure } from "@/lib/forms";
import { revalidatePeoplePages } from "../revalidate";

export const confirmEmailOwnerAction = action(
  { name: "confirm_email_owner", access: "admin", schema: confirmEmailOwnerForm },
  async ({ user: admin }, { userId }) => {
    const result = await confirmEmailOwner(admin, userId);
    if (result.outcome === "self") {
      return failure("Another admin must confirm this: nobody confirms an e-mail address for themselves.");
    }
    if (result.outcome === "not_contested") {
      return failure(
        "There is nothing to confirm any more (someone confirmed it, or the person signed in again). Reload the " +
          "page.",
      );
    }
    revalidatePeoplePages();
    const joined = result.joinedOrganizations;
    return {
      ok: true,
      message:
        `${result.email} now belongs to this Apicbase user` +
        (joined > 0 ? `; ${joined} pending ${joined === 1 ? "invitation" : "invitations"} became memberships` : "") +
        ".",
    };
  },
);
