import { z } from "zod";
import { API_KEY_SCOPES } from "@/lib/db/schema";
import { recordId, typedName, type ActionResult } from "@/lib/forms";

/** What a key is for, e.g. "Nightly sales sync": white space collapsed, no control characters. */
export const apiKeyName = typedName(
  { missing: "Name the key after what uses it.", empty: "Name the key after what uses it, e.g. “Nightly sales sync”." },
  { letterOrDigit: false },
);

/** How long a new key works: until revoked, or a number of days. */
export const API_KEY_LIFETIMES = ["never", "30", "90", "365"] as const;

export const createApiKeyForm = z.object({
  organizationId: recordId,
  name: apiKeyName,
  // Checkboxes sharing one name arrive joined by spaces (readFields).
  scopes: z
    .string({ error: "Choose at least one thing the key may do." })
    .transform((value) => value.split(" ").filter(Boolean))
    .pipe(
      z
        .array(z.enum(API_KEY_SCOPES, { error: "Choose what the key may do from the list." }))
        .min(1, "Choose at least one thing the key may do."),
    )
    .transform((scopes) => API_KEY_SCOPES.filter((scope) => scopes.includes(scope))),
  expiresIn: z.enum(API_KEY_LIFETIMES, { error: "Choose how long the key works from the list." }).default("never"),
});
export const revokeApiKeyForm = z.object({ organizationId: recordId, apiKeyId: recordId });

/** When a key created now with this lifetime stops working; null for never. */
export function expiryOf(lifetime: (typeof API_KEY_LIFETIMES)[number], now: Date): Date | null {
  return lifetime === "never" ? null : new Date(now.getTime() + Number(lifetime) * 86_400_000);
}

/** A created key comes back once, in the action's answer, for the form to show; nothing else ever holds it. */
export type CreateApiKeyResult = ActionResult<"name" | "organizationId" | "scopes" | "expiresIn"> & {
  created?: { key: string; prefix: string; name: string };
};
export type RevokeApiKeyResult = ActionResult<"apiKeyId" | "organizationId">;
