import { DateTime } from "@/components/date-time";
import { describeCredentialsCheck, type CredentialsCheckTone } from "@/lib/applications/credentials-check";
import { REDIRECT_MODE_LABELS } from "@/lib/applications/forms";
import type { ApplicationView } from "@/lib/dal/applications";
import { ButtonForm, DeleteForm, EnableDisableForm } from "./button-form";
import type { FormAction } from "./form-action";
import { ReplaceSecretForm } from "./replace-secret-form";
import { cx, SCOPE_CHIP } from "@/components/ui/classes";
import { plural } from "@/lib/plural";
import { FactRow } from "@/components/ui/fact";

export type ApplicationActions = {
  test: FormAction<"applicationId">;
  replaceSecret: FormAction<"applicationId" | "clientSecret">;
  disable: FormAction<"applicationId">;
  enable: FormAction<"applicationId">;
  remove: FormAction<"applicationId">;
};

const TONES: Record<CredentialsCheckTone, { box: string; mark: string; symbol: string }> = {
  good: { box: "border-emerald-200 bg-emerald-50 text-emerald-950", mark: "bg-emerald-600 text-white", symbol: "✓" },
  bad: { box: "border-red-200 bg-red-50 text-red-950", mark: "bg-red-600 text-white", symbol: "✕" },
  unknown: { box: "border-amber-200 bg-amber-50 text-amber-950", mark: "bg-amber-500 text-white", symbol: "?" },
};

/** The last "Test credentials" in words; a live region, so a new result is read out when it arrives. */
function CredentialsCheckResult({ application, now }: { application: ApplicationView; now: Date }) {
  const check = application.credentialsCheck;
  const described = check ? describeCredentialsCheck(check) : null;
  return (
    <div aria-live="polite" aria-atomic="true" id={`credentials-check-${application.id}`}>
      {check && described ? (
        <div className={`flex gap-3 rounded-lg border px-3 py-2 text-sm ${TONES[described.tone].box}`}>
          <span
            aria-hidden="true"
            className={cx(
              "mt-0.5 inline-flex size-5 shrink-0 items-center justify-center rounded-full text-xs font-bold",
              TONES[described.tone].mark,
            )}
          >
            {TONES[described.tone].symbol}
          </span>
          <p>
            <strong className="font-semibold">{described.title}.</strong> {described.text}{" "}
            <span>
              Tested <DateTime date={new Date(check.checkedAt)} now={now} />.
            </span>
          </p>
        </div>
      ) : (
        <p className="text-sm text-slate-600">
          Credentials not tested yet{application.source === "registered" ? " (or the secret was replaced since)" : ""}.
        </p>
      )}
    </div>
  );
}

function Fact(props: { label: string; children: React.ReactNode }) {
  return <FactRow layout="grid gap-1 py-2 sm:grid-cols-[11rem_1fr] sm:gap-4" {...props} />;
}

/** One application: its settings (never the secret), its last credentials test, and what an admin can do with it. */
export function ApplicationCard({
  application,
  actions,
  now,
}: {
  application: ApplicationView;
  actions: ApplicationActions;
  now: Date;
}) {
  const { id, name, source } = application;
  const fromEnvironment = source === "environment";
  const fields = { applicationId: id };
  return (
    <section
      aria-labelledby={`application-${id}-title`}
      className={cx(
        "rounded-xl border bg-white p-6 shadow-sm",
        application.disabledAt ? "border-dashed border-slate-300" : "border-slate-200",
      )}
    >
      <div className="flex flex-wrap items-center gap-3">
        <h3 id={`application-${id}-title`} className="text-lg font-semibold text-slate-900">
          {name}
        </h3>
        {fromEnvironment ? (
          <span
            className={cx(
              "rounded-full bg-sky-50 px-2.5 py-0.5 text-xs font-semibold",
              "text-sky-900 ring-1 ring-sky-600/30 ring-inset",
            )}
          >
            From the environment
          </span>
        ) : application.disabledAt ? (
          <span
            className={cx(
              "rounded-full bg-slate-100 px-2.5 py-0.5 text-xs font-semibold",
              "text-slate-700 ring-1 ring-slate-500/30 ring-inset",
            )}
          >
            Disabled
          </span>
        ) : (
          <span
            className={cx(
              "rounded-full bg-emerald-50 px-2.5 py-0.5 text-xs font-semibold",
              "text-emerald-900 ring-1 ring-emerald-600/30 ring-inset",
            )}
          >
            Enabled
          </span>
        )}
      </div>

      <dl className="mt-3 divide-y divide-slate-100 text-sm">
        <Fact label="Client id">
          <code className="font-mono break-all">{application.clientId}</code>
        </Fact>
        <Fact label="Client secret">
          {fromEnvironment ? "Set in the environment (AUTH_APICBASE_SECRET)" : "Stored encrypted; never shown again"}
        </Fact>
        <Fact label="Redirect mode">{REDIRECT_MODE_LABELS[application.redirectMode]}</Fact>
        <Fact label="Requested scopes">
          <ul aria-label={`Scopes of ${name}`} className="flex flex-wrap gap-1">
            {application.scopes.map((scope) => (
              <li key={scope} className={SCOPE_CHIP}>
                {scope}
              </li>
            ))}
          </ul>
        </Fact>
        <Fact label="Connections">{plural(application.connectionCount, "connection", "connections")}</Fact>
        {application.disabledAt ? (
          <Fact label="Disabled">
            <DateTime date={application.disabledAt} now={now} />: not offered for new connections; its connections keep
            refreshing.
          </Fact>
        ) : (
          <Fact label={fromEnvironment ? "In the portal since" : "Registered"}>
            <DateTime date={application.createdAt} now={now} />
          </Fact>
        )}
      </dl>

      <div className="mt-4 space-y-3">
        <CredentialsCheckResult application={application} now={now} />
        <div className="flex flex-wrap items-start gap-3">
          <ButtonForm
            action={actions.test}
            fields={fields}
            text="Test credentials"
            pendingLabel="Asking Apicbase…"
            label={`Test credentials of ${name}`}
            announceSuccess={false}
          />
          {!fromEnvironment && (
            <EnableDisableForm
              disabled={Boolean(application.disabledAt)}
              enable={actions.enable}
              disable={actions.disable}
              fields={fields}
              name={name}
            />
          )}
          {!fromEnvironment && (
            <DeleteForm
              action={actions.remove}
              fields={fields}
              name={name}
              title={`Delete “${name}”?`}
              body={
                "Its client id and encrypted secret are removed from the portal. Apicbase keeps the application; " +
                "register it again to use it."
              }
            />
          )}
        </div>
        {fromEnvironment ? (
          <p className="text-sm text-slate-600">
            Read-only: this application changes with AUTH_APICBASE_ID and AUTH_APICBASE_SECRET in the configuration.
          </p>
        ) : (
          <ReplaceSecretForm action={actions.replaceSecret} applicationId={id} applicationName={name} />
        )}
      </div>
    </section>
  );
}
