"use server";

import { revalidatePath } from "next/cache";
import { action } from "@/lib/dal/actions";
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
  async (ctx, { endpointId, url, events }): Promise<WebhookActionResult> => {
    const outcome = await updateWebhook(ctx.user, ctx.organizationId, endpointId, url, events);
    if (outcome === "not_allowed") return ctx.refuse();
    if (outcome === "not_found") return failure(GONE);
    revalidatePath(PAGE);
    return { ok: true, message: `Saved: ${url} gets ${events.length} event type${events.length === 1 ? "" : "s"}.` };
  },
);

export const rotateWebhookSecretAction = action(
  {
    name: "rotate_webhook_secret",
    owns: "organization",
    schema: webhookEndpointRef,
    invalid: { message: GONE, fieldErrors: false },
    notAllowed: NOT_YOURS,
  },
  async (ctx, { endpointId }): Promise<WebhookSecretResult> => {
    const outcome = await rotateWebhookSecret(ctx.user, ctx.organizationId, endpointId);
    if (outcome === "not_allowed") return ctx.refuse();
    if (outcome === "not_found") return failure(GONE);
    revalidatePath(PAGE);
    return {
      ok: true,
      message:
        "A new signing secret signs from now on. The previous one keeps signing alongside it for 24 hours: " +
        "switch your receiver over meanwhile.",
      secret: { value: outcome.secret, endpointId, previousSignsUntil: outcome.previousExpiresAt.toISOString() },
    };
  },
);

type EndpointOperation = "test" | "disable" | "enable" | "delete";

const DONE: Record<EndpointOperation, string> = {
  test: "A test event is on its way; its delivery shows in the log below within seconds.",
  disable: "Disabled: this endpoint gets nothing until it is enabled again.",
  enable: "Enabled: events are delivered again, starting with any that waited.",
  delete: "Deleted: the endpoint and its delivery log are gone.",
};

function endpointAction(operation: EndpointOperation) {
  return action(
    {
      name: `${operation}_webhook`,
      owns: "organization",
      schema: webhookEndpointRef,
      invalid: { message: GONE, fieldErrors: false },
      notAllowed: NOT_YOURS,
    },
    async (ctx, { endpointId }): Promise<WebhookEndpointResult> => {
      const { user, organizationId } = ctx;
      const outcome =
        operation === "test"
          ? await sendWebhookTest(user, organizationId, endpointId)
          : operation === "delete"
            ? await deleteWebhook(user, organizationId, endpointId)
            : await setWebhookEnabled(user, organizationId, endpointId, operation === "enable");
      if (outcome === "not_allowed") return ctx.refuse();
      if (outcome === "not_found") {
        const already = operation === "enable" || operation === "disable";
        return failure(already ? `This endpoint is already ${operation}d. Reload the page.` : GONE);
      }
      revalidatePath(PAGE);
      return { ok: true, message: DONE[operation] };
    },
  );
}

export const sendTestWebhookAction = endpointAction("test");
export const disableWebhookAction = endpointAction("disable");
export const enableWebhookAction = endpointAction("enable");
export const deleteWebhookAction = endpointAction("delete");

export const resendWebhookDeliveryAction = action(
  {
    name: "resend_webhook_delivery",
    owns: "organization",
    schema: webhookDeliveryRef,
    invalid: { message: DELIVERY_GONE, fieldErrors: false },
    notAllowed: NOT_YOURS,
  },
  async (ctx, { deliveryId }): Promise<WebhookDeliveryResult> => {
    const outcome = await resendWebhookDelivery(ctx.user, ctx.organizationId, deliveryId);
    if (outcome === "not_allowed") return ctx.refuse();
    if (outcome === "not_found") return failure(DELIVERY_GONE);
    revalidatePath(PAGE);
    return { ok: true, message: "Resending: the same event, with the same webhook-id, goes out again within seconds." };
  },
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
