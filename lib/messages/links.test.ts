import { describe, expect, it } from "vitest";
import { linkResultMessage } from "./links";

const facts = {
  organizationName: "Sandbox partner",
  approvedLibrary: { id: 103, name: "Brasserie Oost" },
  libraryName: "Brasserie Oost",
};

describe("what a used link did, in words", () => {
  it("flags an update of a library the organization had already connected, and says so", () => {
    expect(linkResultMessage({ ...facts, outcome: "updated" })).toEqual({
      title: "Updated an existing connection",
      message:
        '"Brasserie Oost" was already connected to Sandbox partner: your approval updated that connection with new tokens instead of adding a new one.',
      flagged: true,
    });
  });

  it("a new connection and a re-authorization are not flagged", () => {
    expect(linkResultMessage({ ...facts, outcome: "connected" })).toEqual({
      title: "Connected",
      message: '"Brasserie Oost" is now connected to Sandbox partner.',
      flagged: false,
    });
    expect(linkResultMessage({ ...facts, outcome: "reauthorized" })).toMatchObject({
      title: "Re-authorized",
      flagged: false,
    });
    expect(linkResultMessage({ ...facts, outcome: "reauthorized" }).message).toContain(
      '"Brasserie Oost" is re-authorized',
    );
  });

  it("falls back to the connection's library, then to words, when the approval's library was not kept", () => {
    expect(linkResultMessage({ ...facts, approvedLibrary: null, outcome: "connected" }).message).toBe(
      '"Brasserie Oost" is now connected to Sandbox partner.',
    );
    expect(
      linkResultMessage({ organizationName: null, approvedLibrary: null, libraryName: null, outcome: "connected" })
        .message,
    ).toBe("Your library is now connected to the partner.");
  });
});
