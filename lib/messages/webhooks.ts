/** The words of webhooks and notifications: event names, URL refusals, delivery failures. */
import type { NotificationEventType } from "@/lib/notifications/event-types";
import type { WebhookUrlRefusal } from "@/lib/notifications/webhook-url";

export const EVENT_DESCRIPTIONS: Record<NotificationEventType, string> = {
  "connection.created": "A library was connected (approval, pasted code or token import).",
  "connection.reauthorized": "A connection got new tokens from a new approval.",
  "connection.needs_reauthorization":
    "Apicbase no longer accepts a connection's grant: its library owner must approve again.",
  "connection.refresh_failing": "Refreshing a connection started failing (the current tokens may still work).",
  "connection.recovered": "A connection that needed attention works again.",
  "connection.library_drift": "A connection's token now reaches another library than the one it was connected for.",
  "connection.revoked": "A connection was disconnected and its tokens deleted.",
  "application.credentials_rejected": "Apicbase refused an application's client credentials; its refreshes pause.",
};

export const EVENT_SUBJECTS: Record<string, string> = {
  "connection.created": "connected",
  "connection.reauthorized": "re-authorized",
  "connection.needs_reauthorization": "needs re-authorization",
  "connection.refresh_failing": "refresh failing",
  "connection.recovered": "recovered",
  "connection.library_drift": "library drift",
  "connection.revoked": "disconnected",
  "application.credentials_rejected": "application credentials rejected",
  "webhook.test": "test event",
};

export const WEBHOOK_URL_REFUSALS: Record<WebhookUrlRefusal, string> = {
  empty: "Enter the URL your receiver listens on, e.g. https://example.com/webhooks/apicbase.",
  too_long: "Use a URL of at most 2,048 characters.",
  malformed: "This is not a URL. Enter a full address like https://example.com/webhooks/apicbase.",
  scheme: "Use an https:// URL: deliveries carry your connections' state and must be encrypted.",
  credentials: "Leave the user name and password out of the URL: deliveries are signed instead.",
  host: "The URL needs a host name.",
  blocked_address:
    "This address is on a private, loopback or link-local network (or cloud metadata): the portal only delivers to " +
    "public receivers.",
};

/** A delivery attempt's failure code as a person reads it. */
export function deliveryErrorLabel(code: string | null, statusCode: number | null): string {
  if (!code) return statusCode ? `HTTP ${statusCode}` : "Delivered";
  if (code.startsWith("http_")) return `HTTP ${code.slice(5)}`;
  switch (code) {
    case "redirect":
      return `Redirect (HTTP ${statusCode ?? "3xx"}), not followed`;
    case "timeout":
      return "No answer within 10 s";
    case "blocked_address":
      return "Refused: the host resolves to a private, loopback or link-local address";
    case "dns":
      return "The host name does not resolve";
    case "connection_refused":
      return "Connection refused";
    case "network":
      return "Network error";
    default:
      return "Portal error";
  }
}
