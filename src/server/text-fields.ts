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
  const found: FieldViolationInfo[] = [];
  walkMessage(schema, message as Record<string, unknown>, "", found, limit);
  return found;
}

function problem(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain NUL (U+0000)";
  if (!text.isWellFormed()) return "must be well-formed Unicode (a lone surrogate is not)";
  return undefined;
}

function check(text: string, field: string, index: number, found: FieldViolationInfo[]): void {
  const description = problem(text);
  if (description) found.push({ field, index, description });
}

function walkMessage(schema: DescMessage, msg: Record<string, unknown>, prefix: string, found: FieldViolationInfo[], limit: number): void {
  for (const field of schema.fields) {
    if (found.length >= limit) return;
    const value = fieldValue(field, msg);
    if (value === undefined || value === null) continue;
    walkField(field, value, `${prefix}${field.name}`, found, limit);
  }
}

function fieldValue(field: DescField, msg: Record<string, unknown>): unknown {
  if (!field.oneof) return msg[field.localName];
  const oneof = msg[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
  return oneof?.case === field.localName ? oneof.value : undefined;
}

function walkField(field: DescField, value: unknown, path: string, found: FieldViolationInfo[], limit: number): void {
  switch (field.fieldKind) {
    case "scalar":
      if (field.scalar === ScalarType.STRING) check(value as string, path, -1, found);
      return;
    case "enum":
      return;
    case "message":
      walkMessageValue(field.message, value, path, found, limit);
      return;
    case "list":
      (value as unknown[]).forEach((item, i) => {
        if (field.listKind === "scalar" && field.scalar === ScalarType.STRING) check(item as string, `${path}[${i}]`, i, found);
        else if (field.listKind === "message") walkMessageValue(field.message, item, `${path}[${i}]`, found, limit);
      });
      return;
    case "map":
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const at = `${path}[${JSON.stringify(key).slice(0, 40)}]`;
        check(key, at, -1, found);
        if (field.mapKind === "scalar" && field.scalar === ScalarType.STRING) check(item as string, at, -1, found);
        else if (field.mapKind === "message") walkMessageValue(field.message, item, at, found, limit);
      }
      return;
  }
}

/** protobuf-es holds a Struct field as a plain JSON object; other messages as messages. */
function walkMessageValue(schema: DescMessage, value: unknown, path: string, found: FieldViolationInfo[], limit: number): void {
  if (schema.typeName === "google.protobuf.Struct" && !isMessage(value)) walkJson(value as JsonValue, path, found, limit);
  else walkMessage(schema, value as Record<string, unknown>, `${path}.`, found, limit);
}

const isMessage = (value: unknown) => typeof value === "object" && value !== null && "$typeName" in value;

function walkJson(value: JsonValue, path: string, found: FieldViolationInfo[], limit: number): void {
  if (found.length >= limit) return;
  if (typeof value === "string") check(value, path, -1, found);
  else if (Array.isArray(value)) value.forEach((item, i) => walkJson(item, `${path}[${i}]`, found, limit));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const at = `${path}[${JSON.stringify(key).slice(0, 40)}]`;
      check(key, at, -1, found);
      walkJson(item, at, found, limit);
    }
  }
}
