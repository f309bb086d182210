import { PublicShell } from "@/components/public-shell";

/** Pages for people who are not (yet) signed in: sign-in and its error page, authorization links. */
export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return <PublicShell mainClassName="mx-auto w-full max-w-xl flex-1 px-6 py-12">{children}</PublicShell>;
}
