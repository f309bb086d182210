/** The events partners are told about (webhooks and e-mail): a plain module, so pages and forms can list them. */
export const NOTIFICATION_EVENT_TYPES = [
  "connection.created",
  "connection.reauthorized",
  "connection.needs_reauthorization",
  "connection.refresh_failing",
  "connection.recovered",
  "connection.library_drift",
  "connection.revoked",
  "application.credentials_rejected",
] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];
/** "Send test event" on the webhooks page: delivered to one endpoint, never e-mailed. */
export const TEST_EVENT_TYPE = "webhook.test";
