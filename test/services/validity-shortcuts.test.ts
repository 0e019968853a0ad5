import { create, type DescMessage, getOption, hasOption, type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { field as fieldRules, FieldRulesSchema, message as messageRules, oneof as oneofRules } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { describe, expect, it } from "vitest";
import { CacheEntrySchema, DeleteRequestSchema, GetRequestSchema, MGetRequestSchema, MSetRequestSchema, type SetCondition, SetRequestSchema } from "../../gen/neliti/dataplane/v1/cache_pb.js";
import { HeaderSchema, OutgoingMessageSchema, PublishRequestSchema } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import { nativeRegexMatch } from "../../src/server/regex-match.js";
import { VALIDITY_SHORTCUTS } from "../../src/services/validity-shortcuts.js";

const validator = createValidator({ regexMatch: nativeRegexMatch() });
const enc = new TextEncoder();

/** Every protovalidate rule on these messages, as JSON: what a shortcut was written against. */
function rulesOf(schemas: DescMessage[]) {
  return Object.fromEntries(
    schemas.flatMap((s) => [
      ...(hasOption(s, messageRules) ? [[s.name, "message rules"]] : []),
      ...s.oneofs.filter((o) => hasOption(o, oneofRules)).map((o) => [`${s.name}.${o.name}`, "oneof rules"]),
      ...s.fields.filter((f) => hasOption(f, fieldRules)).map((f) => [`${s.name}.${f.name}`, toJson(FieldRulesSchema, getOption(f, fieldRules))]),
    ]),
  );
}

/** A request type's shortcut, the rules it was written against, and requests that it must judge. */
type Case<D extends DescMessage> = {
  schema: D;
  /** The request type and the message types inside it whose rules apply. */
  rules: [DescMessage[], Record<string, unknown>];
  valid: [string, MessageInitShape<D>][];
  /** Valid, though the shortcut cannot tell: protovalidate decides. */
  validBeyondShortcut: [string, MessageInitShape<D>][];
  invalid: [string, MessageInitShape<D>][];
};

const message = (i: number) => ({ key: enc.encode(`EURUSD${i}`), value: new Uint8Array(16).fill(i), timestampMs: BigInt(i) });
type PublishInit = { topic: string; messages: MessageInitShape<typeof OutgoingMessageSchema>[] };
const publish = (over: Partial<PublishInit> = {}): PublishInit => ({ topic: "mt5.ticks_v1-a", messages: [message(0), message(1)], ...over });
const withHeaders = (headers: { key: string; value?: Uint8Array }[]) => publish({ messages: [message(0), { ...message(1), headers }] });

const keyRule = { string: { minLen: "1", maxLen: "512", pattern: "^[^\\x00-\\x1f\\x7f]+$" } };
const keysRule = { repeated: { minItems: "1", maxItems: "1000", items: keyRule } };
const keys = (n: number) => Array.from({ length: n }, (_, i) => `bench:key:${i}`);
/** Keys every key rule must take, and keys every key rule must refuse. */
const goodKeys = ["k", "k".repeat(512), "tick:EURUSD:IC Markets", "ключ/値 ~!"];
const badKeys: [string, string][] = [
  ["empty", ""],
  ["513 characters", "k".repeat(513)],
  ["513 code points", "😀".repeat(513)],
  ["a tab", "a\tb"],
  ["a newline at the end", "key\n"],
  ["DEL", "a\x7f"],
  ["a unit separator", "\x1f"],
];
const astralKey = "😀".repeat(512); // 512 code points, 1,024 UTF-16 units: valid, beyond the shortcut

const publishCase: Case<typeof PublishRequestSchema> = {
  schema: PublishRequestSchema,
  rules: [
    [PublishRequestSchema, OutgoingMessageSchema, HeaderSchema],
    {
      "PublishRequest.topic": { string: { minLen: "1", maxLen: "249", pattern: "^[A-Za-z0-9._-]+$" } },
      "PublishRequest.messages": { repeated: { minItems: "1", maxItems: "10000" } },
      "OutgoingMessage.headers": { repeated: { maxItems: "64" } },
      "OutgoingMessage.timestamp_ms": { int64: { gte: "0" } },
      "Header.key": { string: { minLen: "1", maxLen: "256" } },
    },
  ],
  valid: [
    ["two messages", publish()],
    ["no key, no value, time 0", publish({ messages: [{}] })],
    ["the longest topic", publish({ topic: "t".repeat(249) })],
    ["10,000 messages", publish({ messages: Array.from({ length: 10_000 }, (_, i) => message(i)) })],
    ["64 headers, keys of 1 and 256", withHeaders(Array.from({ length: 64 }, (_, i) => ({ key: i % 2 ? "k" : "h".repeat(256), value: enc.encode("v") })))],
  ],
  validBeyondShortcut: [["a header key of 256 code points in 512 UTF-16 units", withHeaders([{ key: "😀".repeat(256) }])]],
  invalid: [
    ["empty topic", publish({ topic: "" })],
    ["topic of 250", publish({ topic: "t".repeat(250) })],
    ["topic with a space", publish({ topic: "mt5 ticks" })],
    ["topic with a slash", publish({ topic: "a/b" })],
    ["topic not ASCII", publish({ topic: "tïcks" })],
    ["topic with a newline at the end", publish({ topic: "ticks\n" })],
    ["no messages", publish({ messages: [] })],
    ["10,001 messages", publish({ messages: Array.from({ length: 10_001 }, (_, i) => message(i)) })],
    ["a negative time", publish({ messages: [message(0), { ...message(1), timestampMs: -1n }] })],
    ["65 headers", withHeaders(Array.from({ length: 65 }, () => ({ key: "k" })))],
    ["an empty header key", withHeaders([{ key: "a" }, { key: "" }])],
    ["a header key of 257", withHeaders([{ key: "h".repeat(257) }])],
    ["a header key of 257 code points", withHeaders([{ key: "😀".repeat(257) }])],
  ],
};

const getCase: Case<typeof GetRequestSchema> = {
  schema: GetRequestSchema,
  rules: [[GetRequestSchema], { "GetRequest.key": keyRule }],
  valid: goodKeys.map((key) => [JSON.stringify(key), { key }]),
  validBeyondShortcut: [["512 astral code points", { key: astralKey }]],
  invalid: badKeys.map(([name, key]) => [name, { key }]),
};

const setCase: Case<typeof SetRequestSchema> = {
  schema: SetRequestSchema,
  rules: [[SetRequestSchema], { "SetRequest.key": keyRule, "SetRequest.ttl_ms": { int64: { gte: "0" } }, "SetRequest.condition": { enum: { definedOnly: true } } }],
  valid: [
    ...goodKeys.map((key): [string, MessageInitShape<typeof SetRequestSchema>] => [JSON.stringify(key), { key, value: enc.encode("v") }]),
    ["ttl and the last condition", { key: "k", ttlMs: 1000n, condition: 2 }],
  ],
  validBeyondShortcut: [["512 astral code points", { key: astralKey }]],
  invalid: [
    ...badKeys.map(([name, key]): [string, MessageInitShape<typeof SetRequestSchema>] => [name, { key }]),
    ["a negative ttl", { key: "k", ttlMs: -1n }],
    ["an undefined condition", { key: "k", condition: 3 as SetCondition }],
    ["a negative condition", { key: "k", condition: -1 as SetCondition }],
  ],
};

const keyListCase = (schema: typeof MGetRequestSchema | typeof DeleteRequestSchema): Case<DescMessage> => ({
  schema,
  rules: [[schema], { [`${schema.name}.keys`]: keysRule }],
  valid: [
    ["one key", { keys: ["k"] }],
    ["1,000 keys", { keys: keys(1000) }],
    ["every kind of good key", { keys: goodKeys }],
  ],
  validBeyondShortcut: [["a key of 512 astral code points", { keys: ["k", astralKey] }]],
  invalid: [
    ["no keys", { keys: [] }],
    ["1,001 keys", { keys: keys(1001) }],
    ...badKeys.map(([name, key]): [string, MessageInitShape<DescMessage>] => [`the last key ${name}`, { keys: [...keys(5), key] }]),
  ],
});

const mSetCase: Case<typeof MSetRequestSchema> = {
  schema: MSetRequestSchema,
  rules: [[MSetRequestSchema, CacheEntrySchema], { "MSetRequest.entries": { repeated: { minItems: "1", maxItems: "1000" } }, "MSetRequest.ttl_ms": { int64: { gte: "0" } }, "CacheEntry.key": keyRule }],
  valid: [
    ["one entry", { entries: [{ key: "k", value: enc.encode("v") }] }],
    ["1,000 entries and a ttl", { entries: keys(1000).map((key) => ({ key })), ttlMs: 5n }],
  ],
  validBeyondShortcut: [["a key of 512 astral code points", { entries: [{ key: astralKey }] }]],
  invalid: [
    ["no entries", { entries: [] }],
    ["1,001 entries", { entries: keys(1001).map((key) => ({ key })) }],
    ["a negative ttl", { entries: [{ key: "k" }], ttlMs: -1n }],
    ...badKeys.map(([name, key]): [string, MessageInitShape<typeof MSetRequestSchema>] => [`the last key ${name}`, { entries: [{ key: "a" }, { key }] }]),
  ],
};

const cases = [publishCase, getCase, setCase, keyListCase(MGetRequestSchema), keyListCase(DeleteRequestSchema), mSetCase] as Case<DescMessage>[];

describe("validity shortcuts", () => {
  it("every shortcut is held against protovalidate here", () => {
    expect(cases.map((c) => c.schema.typeName).sort()).toEqual([...VALIDITY_SHORTCUTS.keys()].sort());
  });

  describe.each(cases.map((c) => [c.schema.name, c] as const))("%s", (_, c) => {
    const passes = VALIDITY_SHORTCUTS.get(c.schema.typeName)!;
    const judge = (init: MessageInitShape<DescMessage>) => {
      const m = create(c.schema, init);
      return { protovalidate: validator.validate(c.schema, m).kind, shortcut: passes(m) };
    };

    it("was written against these rules (a changed rule must be checked in the shortcut)", () => {
      expect(rulesOf(c.rules[0])).toEqual(c.rules[1]);
    });
    it.each(c.valid)("valid, passed by the shortcut: %s", (_, init) => {
      expect(judge(init)).toEqual({ protovalidate: "valid", shortcut: true });
    });
    it.each(c.validBeyondShortcut)("valid, left to protovalidate: %s", (_, init) => {
      expect(judge(init)).toEqual({ protovalidate: "valid", shortcut: false });
    });
    it.each(c.invalid)("invalid, never passed by the shortcut: %s", (_, init) => {
      expect(judge(init)).toEqual({ protovalidate: "invalid", shortcut: false });
    });
  });
});
