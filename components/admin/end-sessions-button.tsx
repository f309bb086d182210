import { ButtonForm } from "./button-form";
import type { FormAction } from "./form-action";

/** "End all sessions" of one user, after a confirmation: on the members and the sessions pages. */
export function EndSessionsButton({
  action,
  userId,
  who,
  text = "End all sessions",
}: {
  action: FormAction<"userId">;
  userId: string;
  /** The user's e-mail or name, for the button's label and the confirmation. */
  who: string;
  text?: string;
}) {
  return (
    <ButtonForm
      action={action}
      fields={{ userId }}
      text={text}
      pendingLabel="Ending…"
      label={`End all sessions of ${who}`}
      variant="danger"
      confirm={{
        title: `End all sessions of ${who}?`,
        body: "They are signed out of the portal in every browser; their next click lands on the sign-in page.",
        confirmText: "Yes, end all sessions",
      }}
    />
  );
}
