"use server";

import { revalidatePath } from "next/cache";
import {
  createApiKeyForm,
  expiryOf,
  revokeApiKeyForm,
  type CreateApiKeyResult,
  type RevokeApiKeyResult,
} from "@/lib/api-keys/forms";
import { action } from "@/lib/dal/actions";
import { createOrganizationApiKey, revokeOrganizationApiKey } from "@/lib/dal/api-keys";
import { failure } from "@/lib/forms";

const PAGE = "/api-keys";
const NOT_YOURS = "Only members of this organization can manage its API keys.";

export const createApiKeyAction = action(
  {
    name: "create_api_key",
    owns: "organization",
    schema: createApiKeyForm,
    lists: ["scopes"],
    invalid: "No key was created: correct the fields that show a message.",
    notAllowed: NOT_YOURS,
  },
  async (ctx, { name, scopes, expiresIn }): Promise<CreateApiKeyResult> => {
    const created = await createOrganizationApiKey(ctx.user, ctx.organizationId, {
      name,
      scopes,
      expiresAt: expiryOf(expiresIn, new Date()),
    });
    if (!created) return ctx.refuse();
    revalidatePath(PAGE);
    return {
      ok: true,
      message: `Created “${name}”. Copy the key now: the portal stores only a hash and cannot show it again.`,
      created: { key: created.key, prefix: created.prefix, name },
    };
  },
);

export const revokeApiKeyAction = action(
  {
    name: "revoke_api_key",
    owns: "organization",
    schema: revokeApiKeyForm,
    invalid: "This key no longer exists. Reload the page.",
    notAllowed: NOT_YOURS,
  },
  async (ctx, { apiKeyId }): Promise<RevokeApiKeyResult> => {
    const outcome = await revokeOrganizationApiKey(ctx.user, ctx.organizationId, apiKeyId);
    if (outcome === "not_allowed") return ctx.refuse();
    if (outcome === "not_found") return failure("This key was already revoked. Reload the page.");
    revalidatePath(PAGE);
    return { ok: true, message: "Revoked: requests with this key are refused from now on." };
  },
);
