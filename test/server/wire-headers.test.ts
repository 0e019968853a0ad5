import type http2 from "node:http2";
import { describe, expect, it } from "vitest";
import { WireHeaders } from "../../src/server/wire-headers.js";

/** What node:http2 hands a server for a request: pseudo-headers, plain ones, a repeated one as an array. */
const wire = (): http2.IncomingHttpHeaders => ({
  ":method": "POST",
  ":path": "/grpc.health.v1.Health/Check",
  "content-type": "application/grpc",
  "x-request-id": "abc",
  "set-cookie": ["a=1", "b=2"],
  "x-tags": ["one", "two"],
});

/** The same metadata filled into a plain Headers, header by header. */
function plain(): Headers {
  const out = new Headers();
  for (const [key, value] of Object.entries(wire())) {
    if (key.startsWith(":") || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
  }
  return out;
}

describe("WireHeaders", () => {
  it("answers get and has like a Headers filled from the same request, without pseudo-headers", () => {
    const ours = new WireHeaders(wire());
    const theirs = plain();
    /** The answer, or the error's type and message for a name that is not a header's. */
    const outcome = (read: () => unknown) => {
      try {
        return read();
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
    };
    for (const name of ["content-type", "Content-Type", "X-REQUEST-ID", "x-tags", "set-cookie", "missing", ":path", ":method", "bad name"]) {
      expect(outcome(() => ours.get(name)), name).toEqual(outcome(() => theirs.get(name)));
      expect(outcome(() => ours.has(name)), name).toEqual(outcome(() => theirs.has(name)));
    }
    expect(outcome(() => ours.get(":path"))).toMatch(/^TypeError: /);
  });

  it("walks, copies and spreads like that Headers", () => {
    const ours = new WireHeaders(wire());
    expect([...ours]).toEqual([...plain()]);
    expect([...new Headers(new WireHeaders(wire()))]).toEqual([...plain()]);
    const seen: [string, string][] = [];
    new WireHeaders(wire()).forEach((value, key) => seen.push([key, value]));
    expect(seen).toEqual([...plain()]);
    expect([...new WireHeaders(wire()).keys()]).toEqual([...plain().keys()]);
    expect([...new WireHeaders(wire()).values()]).toEqual([...plain().values()]);
    expect([...new WireHeaders(wire()).entries()]).toEqual([...plain().entries()]);
    expect(new WireHeaders(wire()).getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(new WireHeaders(wire())).toBeInstanceOf(Headers);
  });

  it("keeps what is set, appended and deleted, on top of what came on the wire", () => {
    const ours = new WireHeaders(wire());
    const theirs = plain();
    for (const h of [ours, theirs]) {
      h.set("x-request-id", "replaced");
      h.append("x-tags", "three");
      h.delete("content-type");
      h.append("x-new", "1");
    }
    expect([...ours]).toEqual([...theirs]);
    expect(ours.get("x-request-id")).toBe("replaced");
    expect(ours.get("content-type")).toBeNull();
    expect(ours.get("x-tags")).toBe("one, two, three");
  });
});
