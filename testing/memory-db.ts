/** For the query tests: a fresh database in memory, holding the organizations and applications a suite needs. */
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import { applications, organizations, type NewApplication, type NewOrganization } from "@/lib/db/schema";

export async function seededMemoryDatabase(seed: {
  organizations: NewOrganization[];
  applications: NewApplication[];
}): Promise<Database> {
  const database = await openDatabase({ dataDir: MEMORY });
  await database.db.insert(organizations).values(seed.organizations);
  await database.db.insert(applications).values(seed.applications);
  return database;
}
