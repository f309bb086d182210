import { z } from "zod";
import { NOTIFICATION_EVENT_TYPES, type NotificationEventType } from "@/lib/notifications/event-types";
import { recordId, type ActionResult } from "@/lib/forms";
import { WEBHOOK_URL_REFUSALS } from "@/lib/messages/webhooks";
import { parseWebhookUrl, type WebhookUrlPolicy } from "./webhook-url";

const eventTypes = z
  .string()
  .optional()
  .transform((value) => (value ?? "").split(" ").filter(Boolean))
  .pipe(
    z
      .array(z.enum(NOTIFICATION_EVENT_TYPES, { error: "Choose events from the list." }))
      .min(1, "Choose at least one event to send."),
  )
  .transform((types) => NOTIFICATION_EVENT_TYPES.filter((type) => types.includes(type)) as NotificationEventType[]);

const webhookUrl = (policy: WebhookUrlPolicy) =>
  z.string({ error: WEBHOOK_URL_REFUSALS.empty }).transform((value, context) => {
    const parsed = parseWebhookUrl(value, policy);
    if (!parsed.ok) {
      context.addIssue({ code: "custom", message: WEBHOOK_URL_REFUSALS[parsed.reason] });
      return z.NEVER;
    }
    return parsed.url;
  });

export const webhookEndpointForm = (policy: WebhookUrlPolicy) =>
  z.object({ organizationId: recordId, url: webhookUrl(policy), events: eventTypes });
export const webhookEditForm = (policy: WebhookUrlPolicy) =>
  z.object({ organizationId: recordId, endpointId: recordId, url: webhookUrl(policy), events: eventTypes });
export const webhookEndpointRef = z.object({ organizationId: recordId, endpointId: recordId });
export const webhookDeliveryRef = z.object({ organizationId: recordId, deliveryId: recordId });

/** The secret comes back once, in the action's answer, for the form to show; nothing else ever holds it. */
export type WebhookSecretResult = ActionResult<"url" | "events" | "organizationId" | "endpointId"> & {
  secret?: { value: string; endpointId: string; previousSignsUntil?: string };
};
export type WebhookActionResult = ActionResult<"url" | "events" | "organizationId" | "endpointId">;
export type WebhookEndpointResult = ActionResult<"organizationId" | "endpointId">;
export type WebhookDeliveryResult = ActionResult<"organizationId" | "deliveryId">;

const checkbox = z
  .string()
  .optional()
  .transform((value) => value === "on");
export const emailSettingsForm = z.object({ organizationId: recordId, alerts: checkbox, digest: checkbox });
export type EmailSettingsResult = ActionResult<"organizationId" | "alerts" | "digest">;
