"use server";

import { revalidatePath } from "next/cache";
import { recordAudit } from "@/lib/audit";
import { getCurrentUser, type PortalUser } from "@/lib/dal/session";
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
import { getDb } from "@/lib/db";
import { fieldErrorsOf, readFields } from "@/lib/forms";
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

const PAGE = "/webhooks";
const SIGNED_OUT = "Your session has ended. Sign in again.";
const NOT_YOURS = "Only members of this organization can manage its webhooks.";
const GONE = "This endpoint no longer exists. Reload the page.";

/** Every action re-checks the membership (lib/dal/webhooks.ts); a refusal is audited and changes nothing. */
async function refuse(user: PortalUser, organizationId: string, action: string) {
  const { db } = await getDb();
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    event: "access_refused",
    outcome: "failure",
    detail: { action, organizationId },
  });
}

export async function createWebhookAction(
  _previous: WebhookSecretResult | null,
  formData: FormData,
): Promise<WebhookSecretResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: SIGNED_OUT, fieldErrors: {} };
  const values = readFields(formData, ["organizationId", "url", "events"], ["events"]);
  const parsed = webhookEndpointForm(webhookUrlPolicy()).safeParse(values);
  if (!parsed.success) {
    return {
      ok: false,
      message: "No endpoint was added: correct the fields that show a message.",
      fieldErrors: fieldErrorsOf(parsed.error),
      values: { url: values.url, events: values.events },
    };
  }
  const { organizationId, url, events } = parsed.data;
  const created = await createWebhook(user, organizationId, url, events);
  if (!created) {
    await refuse(user, organizationId, "create_webhook");
    return { ok: false, message: NOT_YOURS, fieldErrors: {} };
  }
  revalidatePath(PAGE);
  return {
    ok: true,
    message: `Added ${url}. Copy its signing secret now: it is shown only this once.`,
    secret: { value: created.secret, endpointId: created.id },
  };
}

export async function updateWebhookAction(
  _previous: WebhookActionResult | null,
  formData: FormData,
): Promise<WebhookActionResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: SIGNED_OUT, fieldErrors: {} };
  const values = readFields(formData, ["organizationId", "endpointId", "url", "events"], ["events"]);
  const parsed = webhookEditForm(webhookUrlPolicy()).safeParse(values);
  if (!parsed.success) {
    return {
      ok: false,
      message: "Nothing was changed: correct the fields that show a message.",
      fieldErrors: fieldErrorsOf(parsed.error),
      values: { url: values.url, events: values.events },
    };
  }
  const { organizationId, endpointId, url, events } = parsed.data;
  const outcome = await updateWebhook(user, organizationId, endpointId, url, events);
  if (outcome === "not_allowed") {
    await refuse(user, organizationId, "update_webhook");
    return { ok: false, message: NOT_YOURS, fieldErrors: {} };
  }
  if (outcome === "not_found") return { ok: false, message: GONE, fieldErrors: {} };
  revalidatePath(PAGE);
  return { ok: true, message: `Saved: ${url} gets ${events.length} event type${events.length === 1 ? "" : "s"}.` };
}

export async function rotateWebhookSecretAction(
  _previous: WebhookSecretResult | null,
  formData: FormData,
): Promise<WebhookSecretResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: SIGNED_OUT, fieldErrors: {} };
  const parsed = webhookEndpointRef.safeParse(readFields(formData, ["organizationId", "endpointId"]));
  if (!parsed.success) return { ok: false, message: GONE, fieldErrors: {} };
  const { organizationId, endpointId } = parsed.data;
  const outcome = await rotateWebhookSecret(user, organizationId, endpointId);
  if (outcome === "not_allowed") {
    await refuse(user, organizationId, "rotate_webhook_secret");
    return { ok: false, message: NOT_YOURS, fieldErrors: {} };
  }
  if (outcome === "not_found") return { ok: false, message: GONE, fieldErrors: {} };
  revalidatePath(PAGE);
  return {
    ok: true,
    message:
      "A new signing secret signs from now on. The previous one keeps signing alongside it for 24 hours: switch your receiver over meanwhile.",
    secret: { value: outcome.secret, endpointId, previousSignsUntil: outcome.previousExpiresAt.toISOString() },
  };
}

type EndpointOperation = "test" | "disable" | "enable" | "delete";

async function endpointOperation(formData: FormData, operation: EndpointOperation): Promise<WebhookEndpointResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: SIGNED_OUT, fieldErrors: {} };
  const parsed = webhookEndpointRef.safeParse(readFields(formData, ["organizationId", "endpointId"]));
  if (!parsed.success) return { ok: false, message: GONE, fieldErrors: {} };
  const { organizationId, endpointId } = parsed.data;
  const outcome =
    operation === "test"
      ? await sendWebhookTest(user, organizationId, endpointId)
      : operation === "delete"
        ? await deleteWebhook(user, organizationId, endpointId)
        : await setWebhookEnabled(user, organizationId, endpointId, operation === "enable");
  if (outcome === "not_allowed") {
    await refuse(user, organizationId, `${operation}_webhook`);
    return { ok: false, message: NOT_YOURS, fieldErrors: {} };
  }
  if (outcome === "not_found") {
    return {
      ok: false,
      message:
        operation === "enable" || operation === "disable"
          ? `This endpoint is already ${operation}d. Reload the page.`
          : GONE,
      fieldErrors: {},
    };
  }
  revalidatePath(PAGE);
  const messages: Record<EndpointOperation, string> = {
    test: "A test event is on its way; its delivery shows in the log below within seconds.",
    disable: "Disabled: this endpoint gets nothing until it is enabled again.",
    enable: "Enabled: events are delivered again, starting with any that waited.",
    delete: "Deleted: the endpoint and its delivery log are gone.",
  };
  return { ok: true, message: messages[operation] };
}

export async function sendTestWebhookAction(
  _previous: WebhookEndpointResult | null,
  formData: FormData,
): Promise<WebhookEndpointResult> {
  return endpointOperation(formData, "test");
}
export async function disableWebhookAction(
  _previous: WebhookEndpointResult | null,
  formData: FormData,
): Promise<WebhookEndpointResult> {
  return endpointOperation(formData, "disable");
}
export async function enableWebhookAction(
  _previous: WebhookEndpointResult | null,
  formData: FormData,
): Promise<WebhookEndpointResult> {
  return endpointOperation(formData, "enable");
}
export async function deleteWebhookAction(
  _previous: WebhookEndpointResult | null,
  formData: FormData,
): Promise<WebhookEndpointResult> {
  return endpointOperation(formData, "delete");
}

export async function resendWebhookDeliveryAction(
  _previous: WebhookDeliveryResult | null,
  formData: FormData,
): Promise<WebhookDeliveryResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: SIGNED_OUT, fieldErrors: {} };
  const parsed = webhookDeliveryRef.safeParse(readFields(formData, ["organizationId", "deliveryId"]));
  if (!parsed.success)
    return { ok: false, message: "This delivery no longer exists. Reload the page.", fieldErrors: {} };
  const { organizationId, deliveryId } = parsed.data;
  const outcome = await resendWebhookDelivery(user, organizationId, deliveryId);
  if (outcome === "not_allowed") {
    await refuse(user, organizationId, "resend_webhook_delivery");
    return { ok: false, message: NOT_YOURS, fieldErrors: {} };
  }
  if (outcome === "not_found")
    return { ok: false, message: "This delivery no longer exists. Reload the page.", fieldErrors: {} };
  revalidatePath(PAGE);
  return { ok: true, message: "Resending: the same event, with the same webhook-id, goes out again within seconds." };
}

export async function saveEmailSettingsAction(
  _previous: EmailSettingsResult | null,
  formData: FormData,
): Promise<EmailSettingsResult> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, message: SIGNED_OUT, fieldErrors: {} };
  const parsed = emailSettingsForm.safeParse(readFields(formData, ["organizationId", "alerts", "digest"]));
  if (!parsed.success) return { ok: false, message: "Reload the page and try again.", fieldErrors: {} };
  const { organizationId, alerts, digest } = parsed.data;
  if (!(await saveEmailSettings(user, organizationId, { alerts, digest }))) {
    await refuse(user, organizationId, "save_email_settings");
    return { ok: false, message: "Only members of this organization get its e-mail.", fieldErrors: {} };
  }
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
}
