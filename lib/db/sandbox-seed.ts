import { SANDBOX_ORGANIZATION } from "@/lib/sandbox";
import type { Db } from "./client";
import { invitations, organizations } from "./schema";

/**
 * The local sandbox's demo organization, with the demo partner as a pending member. Created once: when it already
 * exists (even renamed members or removed invitations), the seed leaves what admins changed alone.
 */
export async function seedSandbox(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const [organization] = await tx
      .insert(organizations)
      .values({ name: SANDBOX_ORGANIZATION.name })
      .onConflictDoNothing()
      .returning({ id: organizations.id });
    if (!organization) return;
    await tx
      .insert(invitations)
      .values(SANDBOX_ORGANIZATION.memberEmails.map((email) => ({ organizationId: organization.id, email })))
      .onConflictDoNothing();
  });
}
