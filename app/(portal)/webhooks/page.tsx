import type { Metadata } from "next";
import { Announcer } from "@/components/admin/announcer";
import { ButtonForm, DeleteForm, EnableDisableForm } from "@/components/admin/button-form";
import { DateTime } from "@/components/date-time";
import { OrganizationSwitcher } from "@/components/organization-switcher";
import { Card } from "@/components/ui/card";
import { EmailSettingsForm } from "@/components/webhooks/email-settings-form";
import { CreateWebhookForm, EditWebhookForm, RotateSecretForm } from "@/components/webhooks/webhook-forms";
import { requireSelectedOrganization } from "@/lib/dal/session";
import {
  emailEnabled,
  emailSettingsOf,
  webhooksOf,
  webhookUrlPolicy,
  type DeliveryView,
  type WebhookEndpointView,
} from "@/lib/dal/webhooks";
import { deliveryErrorLabel, EVENT_SUBJECTS } from "@/lib/messages/webhooks";
import type { SearchParams } from "@/lib/search-params";
import {
  createWebhookAction,
  deleteWebhookAction,
  disableWebhookAction,
  enableWebhookAction,
  resendWebhookDeliveryAction,
  rotateWebhookSecretAction,
  saveEmailSettingsAction,
  sendTestWebhookAction,
  updateWebhookAction,
} from "./actions";
import { PageHeader } from "@/components/ui/page-title";
import { cx, CODE_BLOCK } from "@/components/ui/classes";
import { ACTIONS_COLUMN, DataTable } from "@/components/ui/data-table";

export const metadata: Metadata = { title: "Webhooks" };

/**
 * The organization's webhook endpoints: add (secret shown once), rotate, test, disable, delete, and the delivery log.
 */
export default async function WebhooksPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { user, organization } = await requireSelectedOrganization(params.organization);
  const now = new Date();
  const endpoints = (await webhooksOf(user, organization.id, now)) ?? [];
  const { allowPrivate } = webhookUrlPolicy();
  const emailSettings = await emailSettingsOf(user, organization.id);
  const urlHint = allowPrivate
    ? "Where the portal POSTs events. Local sandbox: http and addresses on this machine are allowed too."
    : "Where the portal POSTs events: an https:// URL on the public internet.";

  return (
    <Announcer>
      <div className="space-y-8">
        <PageHeader context={organization.name} title="Webhooks">
          Your backend hears the moment a connection of {organization.name} needs attention (Apicbase refused its grant,
          refreshing fails, its library drifted) and when it works again. Every delivery is signed following the
          Standard Webhooks specification; failed deliveries are retried for about a day.
        </PageHeader>

        <OrganizationSwitcher user={user} current={organization.id} path="/webhooks" />

        <Card id="add-webhook" title="Add an endpoint">
          <CreateWebhookForm action={createWebhookAction} organizationId={organization.id} urlHint={urlHint} />
        </Card>

        {endpoints.length === 0 ? (
          <Card
            id="webhook-endpoints"
            title="Endpoints"
            description="No endpoints yet: add the URL of your receiver above, then send it a test event."
          />
        ) : (
          endpoints.map(({ endpoint, deliveries }) => (
            <EndpointCard
              key={endpoint.id}
              organizationId={organization.id}
              endpoint={endpoint}
              deliveries={deliveries}
              now={now}
              urlHint={urlHint}
            />
          ))
        )}

        <Card
          id="email-alerts"
          title="E-mail"
          description={
            emailEnabled()
              ? undefined
              : "E-mail is off in this portal: its operator has not set SMTP_URL. Your choices are kept for when it " +
                "is on."
          }
        >
          {emailSettings ? (
            <EmailSettingsForm
              action={saveEmailSettingsAction}
              organizationId={organization.id}
              alerts={emailSettings.alerts}
              digest={emailSettings.digest}
              address={user.email}
            />
          ) : (
            <p className="text-sm text-slate-700">
              Only members of {organization.name} get its e-mail; you look in as an admin.
            </p>
          )}
        </Card>

        <Card id="webhook-verification" title="Verifying deliveries">
          <div className="space-y-3 text-sm leading-6 text-slate-700">
            <p>
              Each delivery is a POST with a JSON body and the headers <code>webhook-id</code> (the event id: the same
              on every retry, so deduplicate on it), <code>webhook-timestamp</code> and <code>webhook-signature</code>.
              Verify them with any Standard Webhooks library and the endpoint&apos;s secret, e.g. in Node.js:
            </p>
            <pre
              // Focusable, so keyboard users can scroll it sideways.
              tabIndex={0}
              className={CODE_BLOCK}
            >
              {`import { Webhook } from "standardwebhooks";

const webhook = new Webhook(process.env.PORTAL_WEBHOOK_SECRET); // whsec_...
// rawBody: the request body exactly as received, before any JSON parsing
const event = webhook.verify(rawBody, {
  "webhook-id": req.headers["webhook-id"],
  "webhook-timestamp": req.headers["webhook-timestamp"],
  "webhook-signature": req.headers["webhook-signature"],
}); // throws when the signature or the timestamp is wrong`}
            </pre>
            <p>
              Answer with a 2xx status within 10 seconds. Redirects are not followed; anything else is retried with a
              growing wait.
            </p>
          </div>
        </Card>
      </div>
    </Announcer>
  );
}

function EndpointState({ endpoint, now }: { endpoint: WebhookEndpointView; now: Date }) {
  if (endpoint.disabledAt) {
    return endpoint.disabledReason === "failing" ? (
      <p role="note" className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
        <strong>Disabled by the portal</strong> <DateTime date={endpoint.disabledAt} now={now} />: every delivery failed
        for 3 days. Fix the receiver, send a test event after enabling it, or delete the endpoint.
      </p>
    ) : (
      <p className="text-sm text-slate-700">
        <span className={cx("rounded-full bg-slate-200 px-2 py-0.5", "text-xs font-medium text-slate-800")}>
          Disabled
        </span>{" "}
        since <DateTime date={endpoint.disabledAt} now={now} />: nothing is sent until it is enabled.
      </p>
    );
  }
  return (
    <div className="space-y-1 text-sm">
      <p>
        <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900">Enabled</span>
      </p>
      {endpoint.failingSince && (
        <p role="note" className="font-medium text-red-800">
          Failing since <DateTime date={endpoint.failingSince} now={now} />. After 3 days of failures the portal
          disables it.
        </p>
      )}
    </div>
  );
}

function EndpointCard({
  organizationId,
  endpoint,
  deliveries,
  now,
  urlHint,
}: {
  organizationId: string;
  endpoint: WebhookEndpointView;
  deliveries: DeliveryView[];
  now: Date;
  urlHint: string;
}) {
  const ids = { organizationId, endpointId: endpoint.id };
  const titleId = `webhook-${endpoint.id}`;
  return (
    <section
      aria-labelledby={`${titleId}-title`}
      className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
    >
      <div className="space-y-2">
        <h2 id={`${titleId}-title`} className="font-mono text-base font-semibold break-all text-slate-900">
          {endpoint.url}
        </h2>
        <EndpointState endpoint={endpoint} now={now} />
        <p className="text-sm text-slate-600">
          Sends {endpoint.eventTypes.length === 8 ? "every event" : endpoint.eventTypes.join(", ")} · added{" "}
          <DateTime date={endpoint.createdAt} now={now} />
        </p>
        {endpoint.previousSecretExpiresAt && (
          <p className="text-sm text-amber-900">
            Secret rotation under way: the previous secret also signs until{" "}
            <DateTime date={endpoint.previousSecretExpiresAt} now={now} />.
          </p>
        )}
      </div>
      <div className="flex flex-wrap items-start gap-3">
        <ButtonForm
          action={sendTestWebhookAction}
          fields={ids}
          text="Send test event"
          pendingLabel="Sending…"
          label={`Send test event to ${endpoint.url}`}
        />
        <RotateSecretForm
          action={rotateWebhookSecretAction}
          organizationId={organizationId}
          endpointId={endpoint.id}
          url={endpoint.url}
        />
        <EnableDisableForm
          disabled={Boolean(endpoint.disabledAt)}
          enable={enableWebhookAction}
          disable={disableWebhookAction}
          fields={ids}
          name={endpoint.url}
        />
        <DeleteForm
          action={deleteWebhookAction}
          fields={ids}
          name={endpoint.url}
          title={`Delete ${endpoint.url}?`}
          body="It gets no more events, and its delivery log is deleted with it."
        />
      </div>
      <details className="rounded-lg border border-slate-200 px-4 py-3">
        <summary className="cursor-pointer text-sm font-medium text-slate-900">Change URL or events</summary>
        <div className="mt-3">
          <EditWebhookForm
            action={updateWebhookAction}
            organizationId={organizationId}
            endpointId={endpoint.id}
            url={endpoint.url}
            eventTypes={endpoint.eventTypes}
            urlHint={urlHint}
          />
        </div>
      </details>
      <DeliveryLog organizationId={organizationId} endpoint={endpoint} deliveries={deliveries} now={now} />
    </section>
  );
}

function DeliveryStatus({ delivery }: { delivery: DeliveryView }) {
  if (delivery.status === "delivered") return <span className="font-medium text-emerald-800">Delivered</span>;
  if (delivery.status === "failed") return <span className="font-medium text-red-800">Failed, gave up</span>;
  if (delivery.attempts === 0) return <span className="font-medium text-slate-700">Waiting</span>;
  return <span className="font-medium text-amber-800">Retrying</span>;
}

function DeliveryLog({
  organizationId,
  endpoint,
  deliveries,
  now,
}: {
  organizationId: string;
  endpoint: WebhookEndpointView;
  deliveries: DeliveryView[];
  now: Date;
}) {
  const cell = "px-3 py-2 align-top";
  if (deliveries.length === 0) {
    return (
      <p className="text-sm text-slate-700">
        No deliveries yet. Send a test event to check that your receiver answers.
      </p>
    );
  }
  return (
    <DataTable
      label={`Deliveries to ${endpoint.url}`}
      caption={<>Latest deliveries to {endpoint.url}, newest first</>}
      cell={cell}
      columns={["Event", "Status", "Last attempt", "Attempts", "Next retry", ACTIONS_COLUMN]}
    >
      <tbody className="divide-y divide-slate-100">
        {deliveries.map((delivery) => (
          <tr key={delivery.id}>
            <td className={cell}>
              <code className="font-mono text-xs text-slate-900">{delivery.eventType}</code>
              <span className="block text-xs text-slate-600">
                {EVENT_SUBJECTS[delivery.eventType] ?? ""} · <DateTime date={delivery.createdAt} now={now} />
              </span>
            </td>
            <td className={cell}>
              <DeliveryStatus delivery={delivery} />
            </td>
            <td className={cell}>
              {delivery.lastAttemptAt ? (
                <>
                  {deliveryErrorLabel(delivery.lastError, delivery.lastStatusCode)}
                  {delivery.lastDurationMs !== null && (
                    <span className="text-slate-600"> · {delivery.lastDurationMs} ms</span>
                  )}
                  <span className="block text-xs text-slate-600">
                    <DateTime date={delivery.lastAttemptAt} now={now} />
                  </span>
                </>
              ) : (
                "Not yet"
              )}
            </td>
            <td className={cell}>{delivery.attempts}</td>
            <td className={cell}>
              {delivery.status === "pending" && delivery.nextAttemptAt ? (
                <DateTime date={delivery.nextAttemptAt} now={now} />
              ) : (
                "—"
              )}
            </td>
            <td className={cell}>
              {delivery.status !== "pending" && (
                <ButtonForm
                  action={resendWebhookDeliveryAction}
                  fields={{ organizationId, deliveryId: delivery.id }}
                  text="Resend"
                  pendingLabel="Resending…"
                  label={`Resend ${delivery.eventType} of ${delivery.createdAt.toISOString()}`}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
