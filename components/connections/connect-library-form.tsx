import { SubmitButton } from "@/components/ui/submit-button";
import { cx, INPUT_FOCUS } from "@/components/ui/classes";

type ConnectableApplication = { id: string; name: string; redirectMode: "redirect" | "oob" };

const MODE = { redirect: "approve at Apicbase and come back", oob: "paste a code from Apicbase" } as const;

/**
 * "Connect a library": one click with the only application; with several, the partner chooses which one the
 * connection uses (only that application can refresh its tokens later).
 */
export function ConnectLibraryForm({
  action,
  organizationId,
  applications,
}: {
  action: (formData: FormData) => Promise<void>;
  organizationId: string;
  applications: ConnectableApplication[];
}) {
  const choose = applications.length > 1;
  return (
    <form action={action} className="flex flex-wrap items-end gap-3">
      <input type="hidden" name="organizationId" value={organizationId} />
      {choose && (
        <div className="min-w-0 max-w-full">
          <label htmlFor="connect-application" className="block text-sm font-medium text-slate-800">
            Application
          </label>
          <select
            id="connect-application"
            name="applicationId"
            defaultValue={applications[0]?.id}
            className={cx(
              "mt-1 block w-full max-w-full rounded-lg border border-slate-300",
              "bg-white px-3 py-2 text-sm text-slate-900 shadow-xs",
              INPUT_FOCUS,
            )}
          >
            {applications.map((application) => (
              <option key={application.id} value={application.id}>
                {application.name} ({MODE[application.redirectMode]})
              </option>
            ))}
          </select>
        </div>
      )}
      <SubmitButton pendingLabel="Opening Apicbase…">Connect a library</SubmitButton>
    </form>
  );
}
