import { SANDBOX_USERS } from "@/lib/sandbox";

/** The emulator's demo accounts, shown on the sign-in page of a local sandbox only. */
export function SandboxLogins() {
  return (
    <section aria-labelledby="sandbox-title" className="rounded-xl border border-amber-300 bg-amber-50 p-5 text-amber-950">
      <div className="flex flex-wrap items-center gap-3">
        <span className="rounded-full bg-amber-200 px-2.5 py-0.5 text-xs font-semibold tracking-wide uppercase">Sandbox</span>
        <h2 id="sandbox-title" className="text-base font-semibold">
          Local sandbox
        </h2>
      </div>
      <p className="mt-2 text-sm leading-6">
        This portal signs in against the bundled Apicbase emulator, not the real Apicbase. Use one of its demo logins
        on the emulator&apos;s login page:
      </p>
      {/* Focusable so keyboard users can scroll it on narrow screens. */}
      <div className="mt-3 overflow-x-auto" tabIndex={0} role="group" aria-labelledby="sandbox-title">
        <table className="w-full text-left text-sm whitespace-nowrap">
          <caption className="sr-only">Demo logins of the local sandbox</caption>
          <thead className="border-b border-amber-300">
            <tr>
              <th scope="col" className="py-1.5 pr-4 font-medium">E-mail</th>
              <th scope="col" className="py-1.5 pr-4 font-medium">Password</th>
              <th scope="col" className="py-1.5 font-medium">Role</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-amber-200">
            {SANDBOX_USERS.map((user) => (
              <tr key={user.email}>
                <td className="py-1.5 pr-4 font-mono">{user.email}</td>
                <td className="py-1.5 pr-4 font-mono">{user.password}</td>
                <td className="py-1.5">{user.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
