import { create, type DescMessage, getOption, hasOption, type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { field as fieldRules, FieldRulesSchema, message as messageRules, oneof as oneofRules } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { describe, expect, it } from "vitest";
import { HeaderSchema, OutgoingMessageSchema, PublishRequestSchema } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import { nativeRegexMatch } from "../../src/server/regex-match.js";
import { VALIDITY_SHORTCUTS } from "../../src/services/validity-shortcuts.js";

const validator = createValidator({ regexMatch: nativeRegexMatch() });
const passes = VALIDITY_SHORTCUTS.get(PublishRequestSchema.typeName)!;
const enc = new TextEncoder();

/** Every protovalidate rule on these messages, as JSON: what the shortcut was written against. */
function rulesOf(schemas: DescMessage[]) {
  return Object.fromEntries(
    schemas.flatMap((s) => [
      ...(hasOption(s, messageRules) ? [[s.name, "message rules"]] : []),
      ...s.oneofs.filter((o) => hasOption(o, oneofRules)).map((o) => [`${s.name}.${o.name}`, "oneof rules"]),
      ...s.fields.filter((f) => hasOption(f, fieldRules)).map((f) => [`${s.name}.${f.name}`, toJson(FieldRulesSchema, getOption(f, fieldRules))]),
    ]),
  );
}

type Init = { topic: string; messages: MessageInitShape<typeof OutgoingMessageSchema>[] };
const message = (i: number) => ({ key: enc.encode(`EURUSD${i}`), value: new Uint8Array(16).fill(i), timestampMs: BigInt(i) });
const clean = (over: Partial<Init> = {}): Init => ({ topic: "mt5.ticks_v1-a", messages: [message(0), message(1)], ...over });
const withHeaders = (headers: { key: string; value?: Uint8Array }[]) => clean({ messages: [message(0), { ...message(1), headers }] });

const valid: [string, Init][] = [
  ["two messages", clean()],
  ["no key, no value, time 0", clean({ messages: [{}] })],
  ["the longest topic", clean({ topic: "t".repeat(249) })],
  ["10,000 messages", clean({ messages: Array.from({ length: 10_000 }, (_, i) => message(i)) })],
  ["64 headers, keys of 1 and 256", withHeaders(Array.from({ length: 64 }, (_, i) => ({ key: i % 2 ? "k" : "h".repeat(256), value: enc.encode("v") })))],
];
// Valid, though the shortcut cannot tell: protovalidate decides.
const validBeyondShortcut: [string, Init][] = [["a header key of 256 code points in 512 UTF-16 units", withHeaders([{ key: "😀".repeat(256) }])]];
const invalid: [string, Init][] = [
  ["empty topic", clean({ topic: "" })],
  ["topic of 250", clean({ topic: "t".repeat(250) })],
  ["topic with a space", clean({ topic: "mt5 ticks" })],
  ["topic with a slash", clean({ topic: "a/b" })],
  ["topic not ASCII", clean({ topic: "tïcks" })],
  ["topic with a newline at the end", clean({ topic: "ticks\n" })],
  ["no messages", clean({ messages: [] })],
  ["10,001 messages", clean({ messages: Array.from({ length: 10_001 }, (_, i) => message(i)) })],
  ["a negative time", clean({ messages: [message(0), { ...message(1), timestampMs: -1n }] })],
  ["65 headers", withHeaders(Array.from({ length: 65 }, () => ({ key: "k" })))],
  ["an empty header key", withHeaders([{ key: "a" }, { key: "" }])],
  ["a header key of 257", withHeaders([{ key: "h".repeat(257) }])],
  ["a header key of 257 code points", withHeaders([{ key: "😀".repeat(257) }])],
];

describe("validity shortcuts", () => {
  it("were written against these rules of PublishRequest, OutgoingMessage and Header (a changed rule must be checked in the shortcut)", () => {
    expect(rulesOf([PublishRequestSchema, OutgoingMessageSchema, HeaderSchema])).toEqual({
      "PublishRequest.topic": { string: { minLen: "1", maxLen: "249", pattern: "^[A-Za-z0-9._-]+$" } },
      "PublishRequest.messages": { repeated: { minItems: "1", maxItems: "10000" } },
      "OutgoingMessage.headers": { repeated: { maxItems: "64" } },
      "OutgoingMessage.timestamp_ms": { int64: { gte: "0" } },
      "Header.key": { string: { minLen: "1", maxLen: "256" } },
    });
  });

  it.each(valid)("Publish, valid and passed by the shortcut: %s", (_, init) => {
    const m = create(PublishRequestSchema, init);
    expect(validator.validate(PublishRequestSchema, m).kind).toBe("valid");
    expect(passes(m)).toBe(true);
  });

  it.each(validBeyondShortcut)("Publish, valid, left to protovalidate: %s", (_, init) => {
    const m = create(PublishRequestSchema, init);
    expect(validator.validate(PublishRequestSchema, m).kind).toBe("valid");
    expect(passes(m)).toBe(false);
  });

  it.each(invalid)("Publish, invalid and never passed by the shortcut: %s", (_, init) => {
    const m = create(PublishRequestSchema, init);
    expect(validator.validate(PublishRequestSchema, m).kind).toBe("invalid");
    expect(passes(m)).toBe(false);
  });
});
