import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { WASM_WRAPPER_TIERING_FLAG } from "../../src/runtime/wasm-import-wrappers.js";

describe("the V8 wasm wrapper work-around", () => {
  // v8.setFlagsFromString ignores a flag it does not know: were the flag renamed in a later Node,
  // the work-around would vanish without a sound. This test makes it loud instead.
  it("names a flag this Node's V8 has", () => {
    const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
    expect(options).toContain(`  ${WASM_WRAPPER_TIERING_FLAG} (`);
  });

  it("the flag is accepted on a command line too (an unknown one exits with 'bad option')", () => {
    const out = execFileSync(process.execPath, [`${WASM_WRAPPER_TIERING_FLAG}=${2 ** 31 - 1}`, "-p", "1"], { encoding: "utf8" });
    expect(out.trim()).toBe("1");
  });
});
