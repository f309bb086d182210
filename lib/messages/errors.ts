/**
 * The portal's refusals and form-level errors in words, one place for each. Domain code and the data-access layer
 * answer with codes; actions, routes and pages turn them into these sentences.
 */

/** The caller's session ended (signed out elsewhere, expired, or ended by an admin). */
export const SIGNED_OUT = "Your session has ended. Sign in again.";

/** A signed-in user who is not an admin asked for something only admins may do. */
export const ADMINS_ONLY = "Only portal admins can do this.";

/** A form whose fields did not validate: nothing happened. */
export const CORRECT_THE_FIELD = "Nothing was changed: correct the field that shows a message.";

/** The connection is not the caller's: the same words whether it exists elsewhere or not at all. */
export const CONNECTION_NOT_YOURS = "This connection does not exist or belongs to another organization.";

/** An organization the caller may not act for. */
export const ORGANIZATION_NOT_YOURS = "You cannot act for this organization. Nothing was changed.";
