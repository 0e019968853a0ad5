import { expect, it } from "vitest";

// The smallest suite: the provider test runs vitest on it to see what global setup does.
it("runs", () => {
  expect(1 + 1).toBe(2);
});
