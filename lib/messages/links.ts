import type { LinkOutcome } from "@/lib/db/schema";

/** What a used connect or re-authorization link did, in words: for its result page and for /links. */
export type LinkResultFacts = {
  outcome: LinkOutcome;
  organizationName: string | null;
  /** The library the approver had active when approving (kept on the link), else the connection's library now. */
  approvedLibrary: { id: number; name: string } | null;
  libraryName: string | null;
};

const libraryOf = (facts: LinkResultFacts) => {
  const name = facts.approvedLibrary?.name ?? facts.libraryName;
  return name ? `"${name}"` : "Your library";
};

/**
 * Title and sentence of the result page; `flagged` when the approval changed an existing connection of a connect link.
 */
export function linkResultMessage(facts: LinkResultFacts): { title: string; message: string; flagged: boolean } {
  const library = libraryOf(facts);
  const organization = facts.organizationName ?? "the partner";
  switch (facts.outcome) {
    case "connected":
      return { title: "Connected", message: `${library} is now connected to ${organization}.`, flagged: false };
    case "updated":
      return {
        title: "Updated an existing connection",
        message:
          `${library} was already connected to ${organization}: ` +
          "your approval updated that connection with new tokens instead of adding a new one.",
        flagged: true,
      };
    case "reauthorized":
      return {
        title: "Re-authorized",
        message: `${library} is re-authorized: its connection to ${organization} works again.`,
        flagged: false,
      };
  }
}

/** The short label /links shows beside a used link. */
export const LINK_OUTCOME_LABELS: Record<LinkOutcome, string> = {
  connected: "New connection",
  updated: "Already connected: updated",
  reauthorized: "Re-authorized",
};

/** What a used link did, before the library's name on /links ("… by otto@…: connected Bistro Nord (101)"). */
export const LINK_USE_VERBS: Record<LinkOutcome, string> = {
  connected: "connected ",
  updated: "updated the existing connection of ",
  reauthorized: "re-authorized ",
};
