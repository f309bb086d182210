/** The page's one `h1`, the same size and weight on every page. */
export function PageTitle({ children }: { children: React.ReactNode }) {
  return <h1 className="text-3xl font-bold tracking-tight text-slate-900">{children}</h1>;
}
