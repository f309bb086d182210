import { QueryProvider } from "@/components/query-provider";

/** The list of every organization's connections stays fresh with React Query, like the partner dashboard. */
export default function AdminConnectionsLayout({ children }: { children: React.ReactNode }) {
  return <QueryProvider>{children}</QueryProvider>;
}
