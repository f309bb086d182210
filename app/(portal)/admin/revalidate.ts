import { revalidatePath } from "next/cache";

/** The admin pages that list people (members, organizations, sessions), after a change to someone. */
export function revalidatePeoplePages() {
  revalidatePath("/admin/members");
  revalidatePath("/admin/organizations");
  revalidatePath("/admin/sessions");
}
