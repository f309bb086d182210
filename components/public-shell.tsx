import { Brand } from "./brand";

/**
 * The page frame for people who are not signed in (landing, sign-in, authorization links, not found): the brand bar.
 */
export function PublicShell({
  children,
  mainClassName,
  footer,
}: {
  children: React.ReactNode;
  mainClassName: string;
  footer?: React.ReactNode;
}) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto max-w-3xl px-6 py-4">
          <Brand />
        </div>
      </header>
      <main className={mainClassName}>{children}</main>
      {footer}
    </div>
  );
}
