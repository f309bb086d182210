/**
 * The local sandbox: the bundled emulator's demo seed, shared by the emulator (which serves it) and the portal
 * (which uses the demo application when no Apicbase credentials are configured and lists the demo logins).
 * These are throwaway credentials of a local test server, not secrets.
 */
export const SANDBOX_PARTNER_APP = {
  name: "Partner app (sandbox)",
  clientId: "sandbox-partner-app",
  clientSecret: "sandbox-partner-secret",
} as const;

export const SANDBOX_DESK_APP = {
  name: "Desk app (sandbox, no redirect URL)",
  clientId: "sandbox-desk-app",
  clientSecret: "sandbox-desk-secret",
} as const;

export const SANDBOX_LIBRARIES = [
  { id: 101, name: "Bistro Nord", status: "active" },
  { id: 102, name: "Café Zuid", status: "active" },
  { id: 103, name: "Brasserie Oost", status: "active" },
  { id: 104, name: "Trattoria West", status: "active" },
] as const;

export type SandboxUser = {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  libraries: number[];
  activeLibrary: number;
  role: string;
};

export const SANDBOX_USERS: readonly SandboxUser[] = [
  {
    email: "admin@sandbox.test",
    password: "admin-demo",
    firstName: "Ada",
    lastName: "Admin",
    libraries: [101],
    activeLibrary: 101,
    role: "portal admin",
  },
  {
    email: "partner@sandbox.test",
    password: "partner-demo",
    firstName: "Piet",
    lastName: "Partner",
    libraries: [101],
    activeLibrary: 101,
    role: "partner member",
  },
  {
    email: "nora@sandbox.test",
    password: "nora-demo",
    firstName: "Nora",
    lastName: "Nord",
    libraries: [101, 102],
    activeLibrary: 101,
    role: "library owner",
  },
  {
    email: "otto@sandbox.test",
    password: "otto-demo",
    firstName: "Otto",
    lastName: "Oost",
    libraries: [103, 104],
    activeLibrary: 103,
    role: "library owner",
  },
  // In no organization until an admin adds them: someone to add, remove and sign out while trying the admin pages.
  {
    email: "sam@sandbox.test",
    password: "sam-demo",
    firstName: "Sam",
    lastName: "Staff",
    libraries: [104],
    activeLibrary: 104,
    role: "partner staff, not in an organization yet",
  },
];

export const ALL_SCOPES = ["accounts", "library", "inventory", "procurement", "sales", "media"] as const;
export type Scope = (typeof ALL_SCOPES)[number];

/** The portal's demo organization: its members are invited by e-mail and become members at their first sign-in. */
export const SANDBOX_ORGANIZATION = {
  name: "Sandbox partner",
  memberEmails: SANDBOX_USERS.filter((user) => user.role === "partner member").map((user) => user.email),
} as const;

/** The portal admins of the local sandbox when PORTAL_ADMIN_EMAILS is unset. */
export const SANDBOX_ADMIN_EMAILS: readonly string[] = SANDBOX_USERS.filter((user) => user.role === "portal admin").map(
  (user) => user.email,
);
