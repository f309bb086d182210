import { PortalHeader } from "@/components/portal-header";
import { requireUser } from "@/lib/dal/session";
import { cx } from "@/components/ui/classes";

/** The signed-in portal. Each page checks the caller again: a layout does not guard its pages' data or actions. */
export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className={cx(
          "sr-only rounded-md bg-white px-3 py-2 text-sm font-medium focus:not-sr-only",
          "focus:absolute focus:top-2 focus:left-2 focus:outline-2 focus:outline-sky-600",
        )}
      >
        Skip to content
      </a>
      <PortalHeader user={user} />
      <main id="main" className="mx-auto w-full max-w-5xl flex-1 px-4 py-8 sm:px-6 sm:py-10">
        {children}
      </main>
    </div>
  );
}
