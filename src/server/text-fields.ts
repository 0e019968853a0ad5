import { type DescField, type DescMessage, type JsonValue, ScalarType } from "@bufbuild/protobuf";
import type { FieldViolationInfo } from "../errors.js";

/**
 * What no text field of a request may hold: NUL, which PostgreSQL text and JSONB cannot store and
 * C-string consumers cut at, and ill-formed UTF-16 (a lone surrogate, possible over JSON), which
 * is not Unicode, so it has no UTF-8 form and JSONB refuses its escape. Checked once for every
 * single-message request, over every string field, list, map key and value, and every key and
 * string in google.protobuf.Struct fields, so no store ever sees such a string and answers
 * INTERNAL. Streamed tick batches are checked by the ingest rules instead (their names have
 * patterns that exclude both).
 */
export function badTextFields(schema: DescMessage, message: object, limit = 20): FieldViolationInfo[] {
  const walk = new Walk(limit);
  walk.message(schema, message as Record<string, unknown>);
  return walk.found;
}

function problem(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain NUL (U+0000)";
  if (!text.isWellFormed()) return "must be well-formed Unicode (a lone surrogate is not)";
  return undefined;
}

/** A map or JSON object key on the path, shown quoted. */
type Key = { readonly key: string };
/** A field name, a list index or a key. */
type Segment = string | number | Key;

/**
 * One walk over a request. Where it is goes on a stack of segments pushed and popped as it
 * descends, and becomes a path string only for a bad field: a clean request of a few hundred list
 * items (a Publish batch, an MGet's keys) would otherwise build a path string for each of them.
 */
class Walk {
  readonly found: FieldViolationInfo[] = [];
  private readonly at: Segment[] = [];

  constructor(private readonly limit: number) {}

  message(schema: DescMessage, msg: Record<string, unknown>): void {
    for (const field of textBearing(schema)) {
      if (this.found.length >= this.limit) return;
      const value = fieldValue(field, msg);
      if (value === undefined || value === null) continue;
      this.at.push(field.name);
      this.field(field, value);
      this.at.pop();
    }
  }

  private field(field: DescField, value: unknown): void {
    switch (field.fieldKind) {
      case "scalar":
        if (field.scalar === ScalarType.STRING) this.text(value as string, -1);
        return;
      case "enum":
        return;
      case "message":
        this.messageValue(field.message, value);
        return;
      case "list": {
        const strings = field.listKind === "scalar" && field.scalar === ScalarType.STRING;
        if (!strings && field.listKind !== "message") return;
        const items = value as unknown[];
        for (let i = 0; i < items.length && this.found.length < this.limit; i++) {
          this.at.push(i);
          if (strings) this.text(items[i] as string, i);
          else this.messageValue(field.message!, items[i]);
          this.at.pop();
        }
        return;
      }
      case "map":
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
          this.at.push({ key });
          this.text(key, -1);
          if (field.mapKind === "scalar" && field.scalar === ScalarType.STRING) this.text(item as string, -1);
          else if (field.mapKind === "message") this.messageValue(field.message, item);
          this.at.pop();
        }
        return;
    }
  }

  /** protobuf-es holds a Struct field as a plain JSON object; other messages as messages. */
  private messageValue(schema: DescMessage, value: unknown): void {
    if (schema.typeName === "google.protobuf.Struct" && !isMessage(value)) this.json(value as JsonValue);
    else this.message(schema, value as Record<string, unknown>);
  }

  private json(value: JsonValue): void {
    if (this.found.length >= this.limit) return;
    if (typeof value === "string") this.text(value, -1);
    else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        this.at.push(i);
        this.json(item);
        this.at.pop();
      });
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        this.at.push({ key });
        this.text(key, -1);
        this.json(item);
        this.at.pop();
      }
    }
  }

  private text(text: string, index: number): void {
    const description = problem(text);
    if (description) this.found.push({ field: this.path(), index, description });
  }

  /** "messages[3].headers[0].key", "labels[\"desk\"]". */
  private path(): string {
    let out = "";
    for (const s of this.at) {
      if (typeof s === "number") out += `[${s}]`;
      else if (typeof s === "string") out += out === "" ? s : `.${s}`;
      else out += `[${JSON.stringify(s.key).slice(0, 40)}]`;
    }
    return out;
  }
}

const bearing = new WeakMap<DescMessage, readonly DescField[]>();

/**
 * The fields of a message type through which a string can be reached (bytes, numbers and enums
 * cannot hold text), worked out once per type: a request's bulk (a Publish batch's keys and
 * values, a tick's prices) is then never visited.
 */
function textBearing(schema: DescMessage): readonly DescField[] {
  let fields = bearing.get(schema);
  if (fields === undefined) {
    // A type reachable from itself (Struct, Value, ListValue) counts as bearing while it is worked out.
    bearing.set(schema, schema.fields);
    fields = schema.fields.filter((f) => {
      switch (f.fieldKind) {
        case "scalar":
          return f.scalar === ScalarType.STRING;
        case "enum":
          return false;
        case "map":
          // Its keys can be strings whatever its values are.
          return true;
        case "list":
          return f.listKind === "scalar" ? f.scalar === ScalarType.STRING : f.listKind === "message" && textBearing(f.message).length > 0;
        case "message":
          return textBearing(f.message).length > 0;
      }
    });
    bearing.set(schema, fields);
  }
  return fields;
}

function fieldValue(field: DescField, msg: Record<string, unknown>): unknown {
  if (!field.oneof) return msg[field.localName];
  const oneof = msg[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
  return oneof?.case === field.localName ? oneof.value : undefined;
}

const isMessage = (value: unknown) => typeof value === "object" && value !== null && "$typeName" in value;
