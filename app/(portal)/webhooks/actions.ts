"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { action, type ActionSpec, type Failure } from "@/lib/dal/actions";
import {
  createWebhook,
  deleteWebhook,
  saveEmailSettings,
  resendWebhookDelivery,
  rotateWebhookSecret,
  sendWebhookTest,
  setWebhookEnabled,
  updateWebhook,
  webhookUrlPolicy,
} from "@/lib/dal/webhooks";
import {
  emailSettingsForm,
  type EmailSettingsResult,
  webhookDeliveryRef,
  webhookEditForm,
  webhookEndpointForm,
  webhookEndpointRef,
  type WebhookActionResult,
  type WebhookDeliveryResult,
  type WebhookEndpointResult,
  type WebhookSecretResult,
} from "@/lib/notifications/forms";
import { failure } from "@/lib/forms";

const PAGE = "/webhooks";
const NOT_YOURS = "Only members of this organization can manage its webhooks.";
const GONE = "This endpoint no longer exists. Reload the page.";
const DELIVERY_GONE = "This delivery no longer exists. Reload the page.";

/** An action on one endpoint or delivery of the organization, named by hidden ids only; a stale id reads `gone`. */
function byIdSpec<Schema extends z.ZodObject>(
  name: string,
  schema: Schema,
  gone: string,
): ActionSpec<Schema, "member", "organization"> {
  return { name, owns: "organization", schema, invalid: { message: gone, fieldErrors: false }, notAllowed: NOT_YOURS };
}

/**
 * What the form reads after the data layer answered: the refusal, `gone` when the endpoint or delivery no longer
 * exists, otherwise (with the page revalidated) what `done` makes of the outcome.
 */
async function settle<Outcome, Result>(
  ctx: { refuse: () => Promise<Failure> },
  outcome: Outcome | "not_allowed" | "not_found",
  gone: string,
  done: (outcome: Outcome) => Result,
): Promise<Result | Failure> {
  if (outcome === "not_allowed") return ctx.refuse();
  if (outcome === "not_found") return failure(gone);
  revalidatePath(PAGE);
  return done(outcome as Outcome);
}

export const createWebhookAction = action(
  {
    name: "create_webhook",
    owns: "organization",
    schema: () => webhookEndpointForm(webhookUrlPolicy()),
    lists: ["events"],
    invalid: "No endpoint was added: correct the fields that show a message.",
    notAllowed: NOT_YOURS,
  },
  async (ctx, { url, events }): Promise<WebhookSecretResult> => {
    const created = await createWebhook(ctx.user, ctx.organizationId, url, events);
    if (!created) return ctx.refuse();
    revalidatePath(PAGE);
    return {
      ok: true,
      message: `Added ${url}. Copy its signing secret now: it is shown only this once.`,
      secret: { value: created.secret, endpointId: created.id },
    };
  },
);

export const updateWebhookAction = action(
  {
    name: "update_webhook",
    owns: "organization",
    schema: () => webhookEditForm(webhookUrlPolicy()),
    lists: ["events"],
    notAllowed: NOT_YOURS,
    invalid: "Nothing was changed: correct the fields that show a message.",
  },
  async (ctx, { endpointId, url, events }): Promise<WebhookActionResult> =>
    settle(ctx, await updateWebhook(ctx.user, ctx.organizationId, endpointId, url, events), GONE, () => ({
      ok: true,
      message: `Saved: ${url} gets ${events.length} event type${events.length === 1 ? "" : "s"}.`,
    })),
);

export const rotateWebhookSecretAction = action(
  byIdSpec("rotate_webhook_secret", webhookEndpointRef, GONE),
  async (ctx, { endpointId }): Promise<WebhookSecretResult> =>
    settle(ctx, await rotateWebhookSecret(ctx.user, ctx.organizationId, endpointId), GONE, (rotated) => ({
      ok: true,
      message:
        "A new signing secret signs from now on. The previous one keeps signing alongside it for 24 hours: " +
        "switch your receiver over meanwhile.",
      secret: { value: rotated.secret, endpointId, previousSignsUntil: rotated.previousExpiresAt.toISOString() },
    })),
);

type EndpointOperation = "test" | "disable" | "enable" | "delete";

const DONE: Record<EndpointOperation, string> = {
  test: "A test event is on its way; its delivery shows in the log below within seconds.",
  disable: "Disabled: this endpoint gets nothing until it is enabled again.",
  enable: "Enabled: events are delivered again, starting with any that waited.",
  delete: "Deleted: the endpoint and its delivery log are gone.",
};

function endpointAction(operation: EndpointOperation) {
  const already = operation === "enable" || operation === "disable";
  const gone = already ? `This endpoint is already ${operation}d. Reload the page.` : GONE;
  return action(
    byIdSpec(`${operation}_webhook`, webhookEndpointRef, GONE),
    async (ctx, { endpointId }): Promise<WebhookEndpointResult> => {
      const { user, organizationId } = ctx;
      const outcome =
        operation === "test"
          ? await sendWebhookTest(user, organizationId, endpointId)
          : operation === "delete"
            ? await deleteWebhook(user, organizationId, endpointId)
            : await setWebhookEnabled(user, organizationId, endpointId, operation === "enable");
      return settle(ctx, outcome, gone, () => ({ ok: true, message: DONE[operation] }));
    },
  );
}

export const sendTestWebhookAction = endpointAction("test");
export const disableWebhookAction = endpointAction("disable");
export const enableWebhookAction = endpointAction("enable");
export const deleteWebhookAction = endpointAction("delete");

export const resendWebhookDeliveryAction = action(
  byIdSpec("resend_webhook_delivery", webhookDeliveryRef, DELIVERY_GONE),
  async (ctx, { deliveryId }): Promise<WebhookDeliveryResult> =>
    settle(ctx, await resendWebhookDelivery(ctx.user, ctx.organizationId, deliveryId), DELIVERY_GONE, () => ({
      ok: true,
      message: "Resending: the same event, with the same webhook-id, goes out again within seconds.",
    })),
);

export const saveEmailSettingsAction = action(
  {
    name: "save_email_settings",
    owns: "organization",
    schema: emailSettingsForm,
    invalid: { message: "Reload the page and try again.", fieldErrors: false },
    notAllowed: "Only members of this organization get its e-mail.",
  },
  async (ctx, { alerts, digest }): Promise<EmailSettingsResult> => {
    if (!(await saveEmailSettings(ctx.user, ctx.organizationId, { alerts, digest }))) return ctx.refuse();
    revalidatePath(PAGE);
    const what =
      alerts && digest
        ? "every event and the daily digest"
        : alerts
          ? "every event"
          : digest
            ? "the daily digest"
            : "no e-mail";
    return { ok: true, message: `Saved: you get ${what} for this organization.` };
  },
);
