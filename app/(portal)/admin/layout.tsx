import { AdminNav } from "@/components/admin/admin-nav";
import { Announcer } from "@/components/admin/announcer";
import { getCurrentUser } from "@/lib/dal/session";

/** The admin area's sections, for admins only. Each page still checks the role itself: a layout guards nothing. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser();
  if (!user?.isAdmin) return children;
  return (
    <Announcer>
      <AdminNav />
      {children}
    </Announcer>
  );
}
