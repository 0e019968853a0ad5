import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { MGetRequestSchema } from "../../gen/neliti/dataplane/v1/cache_pb.js";
import { UpsertVerticesRequestSchema } from "../../gen/neliti/dataplane/v1/graph_pb.js";
import { PublishRequestSchema } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import { badTextFields } from "../../src/server/text-fields.js";

const NUL = "must not contain NUL (U+0000)";
const SURROGATE = "must be well-formed Unicode (a lone surrogate is not)";

describe("badTextFields", () => {
  it("finds nothing in a clean request of many list items", () => {
    const messages = Array.from({ length: 500 }, (_, i) => ({ key: new Uint8Array([i % 256]), value: new Uint8Array(8), headers: [{ key: `h${i}`, value: new Uint8Array(1) }] }));
    expect(badTextFields(PublishRequestSchema, create(PublishRequestSchema, { topic: "ticks", messages }))).toEqual([]);
  });

  it("names a nested list item's field by its full path, with the innermost list index", () => {
    const messages = [
      { key: new Uint8Array(1), headers: [{ key: "ok" }] },
      { key: new Uint8Array(1), headers: [{ key: "fine" }, { key: "bad\u0000" }] },
    ];
    expect(badTextFields(PublishRequestSchema, create(PublishRequestSchema, { topic: "t\uD800", messages }))).toEqual([
      { field: "topic", index: -1, description: SURROGATE },
      { field: "messages[1].headers[1].key", index: -1, description: NUL },
    ]);
  });

  it("gives a string list item its index, and stops at the limit", () => {
    const keys = ["a", "b\u0000", "c", "\uDC00d", "e\u0000"];
    expect(badTextFields(MGetRequestSchema, create(MGetRequestSchema, { keys }))).toEqual([
      { field: "keys[1]", index: 1, description: NUL },
      { field: "keys[3]", index: 3, description: SURROGATE },
      { field: "keys[4]", index: 4, description: NUL },
    ]);
    expect(badTextFields(MGetRequestSchema, create(MGetRequestSchema, { keys }), 2).map((v) => v.field)).toEqual(["keys[1]", "keys[3]"]);
  });

  it("walks Struct keys and values, quoting keys in the path", () => {
    const vertices = [{ ref: { kind: 1, id: "v1" }, properties: { desk: "fx", "bad\u0000key": 1, nested: { list: ["x", "y\uD801"] } } }];
    expect(badTextFields(UpsertVerticesRequestSchema, create(UpsertVerticesRequestSchema, { vertices }))).toEqual([
      { field: 'vertices[0].properties["bad\\u0000key"]', index: -1, description: NUL },
      { field: 'vertices[0].properties["nested"]["list"][1]', index: -1, description: SURROGATE },
    ]);
  });
});
