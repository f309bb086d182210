"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/dal/actions";
import { endSession, endUserSessions, sessionId } from "@/lib/dal/sessions";
import { failure, recordId } from "@/lib/forms";

function revalidateSessionPages() {
  revalidatePath("/admin/sessions");
  revalidatePath("/admin/members");
}

export const endSessionAction = action(
  { name: "end_session", access: "admin", schema: z.object({ sessionId }) },
  async ({ user: admin }, { sessionId: id }) => {
    const result = await endSession(admin, id);
    if (result.outcome === "not_found") {
      return failure("This session had already ended (signed out or expired). Reload the page.");
    }
    revalidateSessionPages();
    return {
      ok: true,
      message:
        `Ended session ${result.fingerprint} of ${result.email ?? "this user"}: their next click lands on the ` +
        `sign-in page.`,
    };
  },
);

export const endUserSessionsAction = action(
  { name: "end_user_sessions", access: "admin", schema: z.object({ userId: recordId }) },
  async ({ user: admin }, { userId }) => {
    const result = await endUserSessions(admin, userId);
    if (result.outcome === "not_found") return failure("This user no longer exists. Reload the page.");
    revalidateSessionPages();
    return {
      ok: true,
      message:
        result.count === 0
          ? `${result.email ?? "This user"} had no session left.`
          : `Ended ${result.count} ${result.count === 1 ? "session" : "sessions"} of ${result.email ?? "this user"}.`,
    };
  },
);
