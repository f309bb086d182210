import { QueryProvider } from "@/components/query-provider";

/** The connection pages keep their data fresh with React Query. */
export default function ConnectionsLayout({ children }: { children: React.ReactNode }) {
  return <QueryProvider>{children}</QueryProvider>;
}
