import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nativeRegexMatch } from "../../src/server/regex-match.js";

const PROTO_DIR = join(import.meta.dirname, "../../proto/neliti/dataplane/v1");

/** Every `pattern:` of the project's protos, unescaped from proto text. */
function protoPatterns(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(PROTO_DIR)) {
    for (const m of readFileSync(join(PROTO_DIR, file), "utf8").matchAll(/pattern: "((?:[^"\\]|\\.)*)"/g)) found.add(m[1]!.replace(/\\\\/g, "\\"));
  }
  return [...found];
}

/**
 * Anchored runs of atoms, each a character class or a literal, each with at most one simple
 * quantifier, optionally one optional group around such a run: no alternation of overlapping
 * branches, no nested quantifiers, no backreferences or lookaround, so V8 matches them in linear
 * time with RE2's meaning.
 */
const ATOM = String.raw`(?:\[[^\]]+\]|[^\\()[\]{}*+?|^$]|\\x[0-9a-f]{2})(?:[*+?]|\{\d+(?:,\d+)?\})?`;
const SAFE = new RegExp(String.raw`^\^(?:(?:${ATOM})+|\((?:${ATOM})+\)\?)\$$`);

describe("the native regex matcher for protovalidate patterns", () => {
  const patterns = protoPatterns();

  it("finds the patterns, and every one is of the linear-time form it relies on", () => {
    expect(patterns.length).toBeGreaterThan(10);
    expect(patterns.filter((p) => !SAFE.test(p))).toEqual([]);
  });

  it("matches like RE2 on ASCII, control characters, and characters beyond the BMP", () => {
    const match = nativeRegexMatch();
    expect(match("^[^\\x00-\\x1f\\x7f]+$", "key:1")).toBe(true);
    expect(match("^[^\\x00-\\x1f\\x7f]+$", "a\nb")).toBe(false);
    expect(match("^[^\\x00-\\x1f\\x7f]+$", "a\x7f")).toBe(false);
    expect(match("^[^\\x00-\\x1f\\x7f]+$", "€😀")).toBe(true);
    expect(match("^[A-Z][A-Za-z0-9_]*$", "EURUSD")).toBe(true);
    expect(match("^[A-Z][A-Za-z0-9_]*$", "eurusd")).toBe(false);
    expect(match("^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$", "")).toBe(true);
    expect(match("^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$", "0123")).toBe(false);
  });
});
