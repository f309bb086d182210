import { z } from "zod";
import { recordId, type ActionResult } from "@/lib/forms";

/** What a key is for, e.g. "Nightly sales sync": white space collapsed, no control characters. */
export const apiKeyName = z
  .string({ error: "Name the key after what uses it." })
  .transform((value) => value.replace(/\s+/g, " ").trim())
  .pipe(
    z
      .string()
      .min(1, "Name the key after what uses it, e.g. “Nightly sales sync”.")
      .min(2, "Use at least 2 characters.")
      .max(80, "Use at most 80 characters.")
      .regex(/^\P{C}*$/u, "Use letters, digits, spaces and punctuation only."),
  );

export const createApiKeyForm = z.object({ organizationId: recordId, name: apiKeyName });
export const revokeApiKeyForm = z.object({ organizationId: recordId, apiKeyId: recordId });

/** A created key comes back once, in the action's answer, for the form to show; nothing else ever holds it. */
export type CreateApiKeyResult = ActionResult<"name" | "organizationId"> & { created?: { key: string; prefix: string; name: string } };
export type RevokeApiKeyResult = ActionResult<"apiKeyId" | "organizationId">;
