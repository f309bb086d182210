import { SANDBOX_LIBRARIES, SANDBOX_USERS } from "@/lib/sandbox";
import { HeaderRow } from "@/components/ui/data-table";

function libraryNames(ids: readonly number[]): string {
  return ids
    .map((id) => `${SANDBOX_LIBRARIES.find((library) => library.id === id)?.name ?? "Library"} (${id})`)
    .join(", ");
}

/**
 * The emulator's demo accounts as a table that fits the page: e-mail and password stay on one line (they are typed
 * or copied), role and libraries wrap. Still scrollable on a phone, and focusable so a keyboard can scroll it.
 */
export function DemoLoginsTable({ labelledBy, tone = "slate" }: { labelledBy: string; tone?: "slate" | "amber" }) {
  const rule = tone === "amber" ? "border-amber-300" : "border-slate-200";
  const rows = tone === "amber" ? "divide-amber-200" : "divide-slate-100";
  return (
    <div className="overflow-x-auto" tabIndex={0} role="group" aria-labelledby={labelledBy}>
      <table className="w-full min-w-[30rem] text-left text-sm">
        <caption className="sr-only">Demo logins of the local sandbox</caption>
        <thead className={`border-b ${rule}`}>
          <HeaderRow
            columns={["User name", "Password", "Role", "Libraries"]}
            cell="py-1.5 pr-3 font-medium"
            lastCell="py-1.5 font-medium"
          />
        </thead>
        <tbody className={`divide-y ${rows}`}>
          {SANDBOX_USERS.map((user) => (
            <tr key={user.email} className="align-top">
              <td className="py-1.5 pr-3 font-mono whitespace-nowrap">{user.email}</td>
              <td className="py-1.5 pr-3 font-mono whitespace-nowrap">{user.password}</td>
              <td className="py-1.5 pr-3">{user.role}</td>
              <td className="py-1.5">{libraryNames(user.libraries)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The emulator's demo accounts, shown on the sign-in page of a local sandbox only. */
export function SandboxLogins({ emulatorBase }: { emulatorBase: string }) {
  return (
    <section
      aria-labelledby="sandbox-title"
      className="rounded-xl border border-amber-300 bg-amber-50 p-5 text-amber-950"
    >
      <div className="flex flex-wrap items-center gap-3">
        <span className="rounded-full bg-amber-200 px-2.5 py-0.5 text-xs font-semibold tracking-wide uppercase">
          Sandbox
        </span>
        <h2 id="sandbox-title" className="text-base font-semibold">
          Local sandbox
        </h2>
      </div>
      <p className="mt-2 text-sm leading-6">
        This portal signs in against the bundled Apicbase emulator, not the real Apicbase. Use one of its demo logins on
        the emulator&apos;s login page:
      </p>
      <div className="mt-3">
        <DemoLoginsTable labelledBy="sandbox-title" tone="amber" />
      </div>
      <p className="mt-3 text-sm leading-6">
        The emulator keeps its own login, like Apicbase: once logged in there, it does not ask again. To use another
        demo user,{" "}
        <a
          className="font-medium underline underline-offset-2"
          href={`${emulatorBase}/accounts/logout/?next=/accounts/login/`}
        >
          log out of the emulator
        </a>{" "}
        first.
      </p>
    </section>
  );
}
