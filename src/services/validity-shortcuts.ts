import type { Message } from "@bufbuild/protobuf";
import { type DeleteRequest, type GetRequest, type MGetRequest, type MSetRequest, SetCondition, type SetRequest } from "../../gen/neliti/dataplane/v1/cache_pb.js";
import type { PublishRequest } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import type { ValidityShortcut } from "../server/interceptors.js";

// proto/neliti/dataplane/v1/stream.proto: PublishRequest, OutgoingMessage, Header.
const TOPIC = /^[A-Za-z0-9._-]+$/;
const TOPIC_MAX = 249;
const MESSAGES_MAX = 10_000;
const HEADERS_MAX = 64;
const HEADER_KEY_MAX = 256;

// proto/neliti/dataplane/v1/cache.proto: a key is 1 to 512 characters, none of them a control character.
const KEY_MAX = 512;
const CONTROL = /[\x00-\x1f\x7f]/;
const KEYS_MAX = 1000;

// Lengths here are UTF-16 units where the rules count code points: never fewer, so a string
// within the limit in units is within it in code points (a longer one falls back to protovalidate).

const keyPasses = (key: string) => key.length >= 1 && key.length <= KEY_MAX && !CONTROL.test(key);

function keysPass(keys: readonly string[]): boolean {
  if (keys.length < 1 || keys.length > KEYS_MAX) return false;
  for (const k of keys) if (!keyPasses(k)) return false;
  return true;
}

function setPasses(message: Message): boolean {
  const m = message as SetRequest;
  return keyPasses(m.key) && m.ttlMs >= 0n && SetCondition[m.condition] !== undefined;
}

function mSetPasses(message: Message): boolean {
  const m = message as MSetRequest;
  if (m.ttlMs < 0n || m.entries.length < 1 || m.entries.length > KEYS_MAX) return false;
  for (const e of m.entries) if (!keyPasses(e.key)) return false;
  return true;
}

function publishPasses(message: Message): boolean {
  const m = message as PublishRequest;
  if (m.topic.length > TOPIC_MAX || !TOPIC.test(m.topic)) return false;
  if (m.messages.length < 1 || m.messages.length > MESSAGES_MAX) return false;
  for (const o of m.messages) {
    if (o.timestampMs < 0n || o.headers.length > HEADERS_MAX) return false;
    for (const h of o.headers) if (h.key.length < 1 || h.key.length > HEADER_KEY_MAX) return false;
  }
  return true;
}

/**
 * Hand-written answers to "does this request pass its protovalidate rules?", by request type name,
 * for hot requests whose reflective evaluation is a visible part of the call's cost. Measured in
 * process through the validation interceptor: a 500-message Publish 0.41 -> 0.033 ms (an eighth
 * of the service's CPU per published message before), an MGet of 100 keys 32 us, a Get 1.3 us and
 * a Set 1.9 us in protovalidate.
 *
 * A shortcut may answer false for a valid request (protovalidate then decides, and names every
 * violation as it always does) but never true for an invalid one. It only has to be right about
 * the clean requests of a hot path; test/services/validity-shortcuts.test.ts holds each one
 * against protovalidate on valid and on rule-breaking requests, and fails when the proto's
 * rules for these messages change, so that a new rule cannot go unchecked here.
 */
export const VALIDITY_SHORTCUTS: ReadonlyMap<string, ValidityShortcut> = new Map([
  ["neliti.dataplane.v1.PublishRequest", publishPasses],
  ["neliti.dataplane.v1.GetRequest", (m) => keyPasses((m as GetRequest).key)],
  ["neliti.dataplane.v1.SetRequest", setPasses],
  ["neliti.dataplane.v1.MGetRequest", (m) => keysPass((m as MGetRequest).keys)],
  ["neliti.dataplane.v1.MSetRequest", mSetPasses],
  ["neliti.dataplane.v1.DeleteRequest", (m) => keysPass((m as DeleteRequest).keys)],
]);
