"use server";

import { revalidatePath } from "next/cache";
import {
  createApiKeyForm,
  expiryOf,
  revokeApiKeyForm,
  type CreateApiKeyResult,
  type RevokeApiKeyResult,
} from "@/lib/api-keys/forms";
import { recordAudit } from "@/lib/audit";
import { createOrganizationApiKey, revokeOrganizationApiKey } from "@/lib/dal/api-keys";
import { getCurrentUser, type PortalUser } from "@/lib/dal/session";
import { getDb } from "@/lib/db";
import { fieldErrorsOf, readFields } from "@/lib/forms";

const PAGE = "/api-keys";
const SIGNED_OUT = "Your session has ended. Sign in again.";
const NOT_YOURS = "Only members of this organization can manage its API keys.";

async function refuse(user: PortalUser, organizationId: string, action: string) {
  const { db } = await getDb();
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    event: "access_refused",
    outcome: "failure",
    detail: { action, organizationId },
  });
}

export async function createApiKeyAction(
  _previous: CreateApiKeyResult | null,
  formData: FormData,
): Promise<CreateApiKeyResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: SIGNED_OUT, fieldErrors: {} };
  const values = readFields(formData, ["organizationId", "name", "scopes", "expiresIn"], ["scopes"]);
  const parsed = createApiKeyForm.safeParse(values);
  if (!parsed.success) {
    return {
      ok: false,
      message: "No key was created: correct the fields that show a message.",
      fieldErrors: fieldErrorsOf(parsed.error),
      values: { name: values.name, scopes: values.scopes, expiresIn: values.expiresIn },
    };
  }
  const { organizationId, name, scopes, expiresIn } = parsed.data;
  const created = await createOrganizationApiKey(user, organizationId, {
    name,
    scopes,
    expiresAt: expiryOf(expiresIn, new Date()),
  });
  if (!created) {
    await refuse(user, organizationId, "create_api_key");
    return { ok: false, message: NOT_YOURS, fieldErrors: {} };
  }
  revalidatePath(PAGE);
  return {
    ok: true,
    message: `Created “${name}”. Copy the key now: the portal stores only a hash and cannot show it again.`,
    created: { key: created.key, prefix: created.prefix, name },
  };
}

export async function revokeApiKeyAction(
  _previous: RevokeApiKeyResult | null,
  formData: FormData,
): Promise<RevokeApiKeyResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: SIGNED_OUT, fieldErrors: {} };
  const parsed = revokeApiKeyForm.safeParse(readFields(formData, ["organizationId", "apiKeyId"]));
  if (!parsed.success)
    return {
      ok: false,
      message: "This key no longer exists. Reload the page.",
      fieldErrors: fieldErrorsOf(parsed.error),
    };
  const { organizationId, apiKeyId } = parsed.data;
  const outcome = await revokeOrganizationApiKey(user, organizationId, apiKeyId);
  if (outcome === "not_allowed") {
    await refuse(user, organizationId, "revoke_api_key");
    return { ok: false, message: NOT_YOURS, fieldErrors: {} };
  }
  if (outcome === "not_found")
    return { ok: false, message: "This key was already revoked. Reload the page.", fieldErrors: {} };
  revalidatePath(PAGE);
  return { ok: true, message: "Revoked: requests with this key are refused from now on." };
}
