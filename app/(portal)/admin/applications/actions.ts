"use server";

import { revalidatePath } from "next/cache";
import { describeCredentialsCheck } from "@/lib/applications/credentials-check";
import { applicationForm, registerApplicationForm, replaceSecretForm } from "@/lib/applications/forms";
import { action } from "@/lib/dal/actions";
import {
  deleteApplication,
  registerApplication,
  replaceApplicationSecret,
  setApplicationDisabled,
  testApplicationCredentials,
} from "@/lib/dal/applications";
import { failure } from "@/lib/forms";

const PAGE = "/admin/applications";
const GONE =
  "This application no longer exists (or comes from the environment and cannot be changed here). Reload the page.";

export const registerApplicationAction = action(
  {
    name: "register_application",
    access: "admin",
    schema: registerApplicationForm,
    lists: ["scopes"],
    secrets: ["clientSecret"],
  },
  async ({ user: admin }, input) => {
    const result = await registerApplication(admin, input);
    if (result.outcome === "client_id_taken") {
      return {
        ok: false,
        message: "Nothing was registered.",
        fieldErrors: { clientId: `This client id is already registered, as “${result.takenBy}”.` },
      };
    }
    revalidatePath(PAGE);
    return {
      ok: true,
      message: `Registered “${input.name}”. Its secret is stored encrypted; test the credentials next.`,
    };
  },
);

export const replaceSecretAction = action(
  { name: "replace_application_secret", access: "admin", schema: replaceSecretForm, secrets: ["clientSecret"] },
  async ({ user: admin }, { applicationId, clientSecret }) => {
    const outcome = await replaceApplicationSecret(admin, applicationId, clientSecret);
    if (outcome === "not_found") return failure(GONE);
    if (outcome === "same_as_client_id") {
      return {
        ok: false,
        message: "Nothing was changed.",
        fieldErrors: { clientSecret: "The secret is the same as the client id: was the client id pasted here?" },
      };
    }
    revalidatePath(PAGE);
    return { ok: true, message: "Secret replaced. Every call from now on uses it; test the credentials again." };
  },
);

export const testCredentialsAction = action(
  { name: "test_application_credentials", access: "admin", schema: applicationForm },
  async ({ user: admin }, { applicationId }) => {
    const result = await testApplicationCredentials(admin, applicationId);
    if (result.outcome === "not_found") return failure(GONE);
    if (result.outcome === "secret_unreadable") {
      return failure(
        "The stored secret cannot be decrypted with the configured TOKEN_ENCRYPTION_KEY (was its key removed?). " +
          "Replace the secret.",
      );
    }
    revalidatePath(PAGE);
    const { title, text } = describeCredentialsCheck(result.check);
    return { ok: true, message: `${title}: ${text}` };
  },
);

/** Disable or enable an application; `done` says what that means for its name. */
function setDisabledAction(name: string, disabled: boolean, done: (applicationName: string) => string) {
  return action({ name, access: "admin", schema: applicationForm }, async ({ user: admin }, { applicationId }) => {
    const result = await setApplicationDisabled(admin, applicationId, disabled);
    if (result.outcome === "not_found") return failure(GONE);
    revalidatePath(PAGE);
    return { ok: true, message: done(result.name) };
  });
}

export const disableApplicationAction = setDisabledAction(
  "disable_application",
  true,
  (name) => `“${name}” is disabled: new connections cannot use it; its connections keep working.`,
);

export const enableApplicationAction = setDisabledAction(
  "enable_application",
  false,
  (name) => `“${name}” is enabled again.`,
);

export const deleteApplicationAction = action(
  { name: "delete_application", access: "admin", schema: applicationForm },
  async ({ user: admin }, { applicationId }) => {
    const result = await deleteApplication(admin, applicationId);
    switch (result.outcome) {
      case "not_found":
        return failure(GONE);
      case "has_connections":
        return failure(
          `“${result.name}” has ${result.connections} ${result.connections === 1 ? "connection" : "connections"}: ` +
            `disable it instead. Only this application can refresh their tokens.`,
        );
      case "in_use":
        return failure(`“${result.name}” is still in use (e.g. by a pending connect link): disable it instead.`);
      case "deleted":
        revalidatePath(PAGE);
        return { ok: true, message: `Deleted “${result.name}”.` };
    }
  },
);
