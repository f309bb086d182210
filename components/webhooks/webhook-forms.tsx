"use client";

import { useActionState, useId } from "react";
import { fieldError, typedValue } from "@/components/admin/form-action";
import { FormMessage } from "@/components/ui/form-message";
import { CheckboxGroup } from "@/components/ui/choice-group";
import { SubmitButton } from "@/components/ui/submit-button";
import { TextField } from "@/components/ui/text-field";
import { NOTIFICATION_EVENT_TYPES, type NotificationEventType } from "@/lib/notifications/event-types";
import { EVENT_DESCRIPTIONS } from "@/lib/messages/webhooks";
import type { WebhookActionResult, WebhookSecretResult } from "@/lib/notifications/forms";
import { ShownOnce } from "@/components/ui/shown-once";

type SecretAction = (previous: WebhookSecretResult | null, formData: FormData) => Promise<WebhookSecretResult>;
type EditAction = (previous: WebhookActionResult | null, formData: FormData) => Promise<WebhookActionResult>;

const EVENT_BOXES = NOTIFICATION_EVENT_TYPES.map((type) => ({
  value: type,
  label: (
    <span>
      <code className="font-mono text-xs font-semibold text-slate-900">{type}</code>
      <span className="block text-slate-600">{EVENT_DESCRIPTIONS[type]}</span>
    </span>
  ),
}));

function EventChoices({ idPrefix, chosen, error }: { idPrefix: string; chosen: readonly string[]; error?: string }) {
  return (
    <CheckboxGroup
      id={`${idPrefix}-events`}
      legend="Events to send"
      error={error}
      markInvalid
      layout="mt-2 grid gap-2 sm:grid-cols-2"
      name="events"
      boxes={EVENT_BOXES}
      checked={new Set(chosen)}
      boxLayout="flex items-start gap-2 text-sm"
      boxClassName="mt-1 size-4 accent-slate-900"
    />
  );
}

/** Adds an endpoint; shows its signing secret once, right after. */
export function CreateWebhookForm({
  action,
  organizationId,
  urlHint,
}: {
  action: SecretAction;
  organizationId: string;
  urlHint: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const typedEvents = typedValue(state, "events");
  return (
    <div className="space-y-4">
      <form action={formAction} className="space-y-4" noValidate>
        <input type="hidden" name="organizationId" value={organizationId} />
        <TextField
          id="webhook-url"
          name="url"
          label="Endpoint URL"
          hint={urlHint}
          type="url"
          inputMode="url"
          autoComplete="off"
          required
          defaultValue={typedValue(state, "url")}
          error={fieldError(state, "url")}
        />
        <EventChoices
          idPrefix="new-webhook"
          chosen={typedEvents !== undefined ? typedEvents.split(" ") : NOTIFICATION_EVENT_TYPES}
          error={fieldError(state, "events")}
        />
        <SubmitButton pendingLabel="Adding…">Add endpoint</SubmitButton>
        <FormMessage state={state} />
      </form>
      {state?.ok && state.secret && <NewSecret key={state.secret.value} secret={state.secret.value} />}
    </div>
  );
}

export function EditWebhookForm({
  action,
  organizationId,
  endpointId,
  url,
  eventTypes,
  urlHint,
}: {
  action: EditAction;
  organizationId: string;
  endpointId: string;
  url: string;
  eventTypes: NotificationEventType[];
  urlHint: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const typedEvents = typedValue(state, "events");
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <input type="hidden" name="organizationId" value={organizationId} />
      <input type="hidden" name="endpointId" value={endpointId} />
      <TextField
        id={`webhook-url-${endpointId}`}
        name="url"
        label="Endpoint URL"
        hint={urlHint}
        type="url"
        autoComplete="off"
        required
        defaultValue={typedValue(state, "url") ?? url}
        error={fieldError(state, "url")}
      />
      <EventChoices
        idPrefix={`webhook-${endpointId}`}
        chosen={typedEvents !== undefined ? typedEvents.split(" ") : eventTypes}
        error={fieldError(state, "events")}
      />
      <SubmitButton variant="secondary" size="sm" pendingLabel="Saving…">
        Save changes
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

/** "Rotate secret": the new secret is shown once; the old one keeps signing for 24 h. */
export function RotateSecretForm({
  action,
  organizationId,
  endpointId,
  url,
}: {
  action: SecretAction;
  organizationId: string;
  endpointId: string;
  url: string;
}) {
  const [state, formAction] = useActionState(action, null);
  return (
    <div className="space-y-2">
      <form action={formAction}>
        <input type="hidden" name="organizationId" value={organizationId} />
        <input type="hidden" name="endpointId" value={endpointId} />
        <SubmitButton variant="secondary" size="sm" pendingLabel="Rotating…" aria-label={`Rotate secret of ${url}`}>
          Rotate secret
        </SubmitButton>
      </form>
      <FormMessage state={state} />
      {state?.ok && state.secret && <NewSecret key={state.secret.value} secret={state.secret.value} />}
    </div>
  );
}

function NewSecret({ secret }: { secret: string }) {
  const id = useId();
  return (
    <ShownOnce
      titleId={`${id}-title`}
      title="Signing secret: copy it now"
      inputId={`${id}-secret`}
      inputLabel="Signing secret"
      value={secret}
    >
      <p className="text-sm text-amber-950">
        It is shown only this once. Your receiver verifies each delivery&apos;s <code>webhook-signature</code> with it.
      </p>
    </ShownOnce>
  );
}
