import { describe, expect, it } from "vitest";
import { hasMalformedEncoding, malformedPathResponse, MALFORMED_PATH_MESSAGE } from "./path-encoding";

describe("hasMalformedEncoding", () => {
  it.each([
    "/api/v1/connections/%E0%A4%A/access-token",
    "/api/v1/connections/%ZZ",
    "/api/v1/libraries/%/access-token",
    "/api/v1/%C0%AF",
    "/api/v1/%%",
  ])("finds %s malformed", (path) => expect(hasMalformedEncoding(path)).toBe(true));

  it.each([
    "/api/v1/connections",
    "/api/v1/connections/0b6c5d5e-8f9f-4b7a-9d5e-8f9f4b7a9d5e/access-token",
    "/api/v1/connections/x/apicbase/products%20list",
    "/api/v1/%2F",
    "/api/v1/%E2%82%AC",
  ])("lets %s through", (path) => expect(hasMalformedEncoding(path)).toBe(false));
});

describe("malformedPathResponse", () => {
  it("is the token API's JSON 400, not stored by caches", async () => {
    const response = malformedPathResponse();
    expect(response.status).toBe(400);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ error: "invalid_request", message: MALFORMED_PATH_MESSAGE });
  });
});
