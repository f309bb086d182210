import type { PortalUser } from "./session";

/** Who did it, as the audit log records a signed-in person. */
export function actorOf(user: PortalUser): { id: string; email: string | null } {
  return { id: user.id, email: user.email };
}
