import { signOutOfPortal } from "@/lib/auth/actions";
import { SubmitButton } from "./ui/submit-button";

/** Ends the session (in the database, not only the cookie). Works without JavaScript. */
export function SignOutButton() {
  return (
    <form action={signOutOfPortal}>
      <SubmitButton variant="secondary" size="sm" pendingLabel="Signing out…">
        Sign out
      </SubmitButton>
    </form>
  );
}
