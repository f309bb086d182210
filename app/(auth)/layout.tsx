import { Brand } from "@/components/brand";

/** Pages for people who are not (yet) signed in: sign-in and its error page. */
export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto max-w-3xl px-6 py-4">
          <Brand />
        </div>
      </header>
      <main className="mx-auto w-full max-w-xl flex-1 px-6 py-12">{children}</main>
    </div>
  );
}
