import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlreadyExistsError, NotFoundError } from "../../src/errors.js";
import type { IncomingRecord, OutgoingRecord, StreamLog, SubscribeOptions } from "../../src/ports/stream-log.js";
import { uniqueSuffix } from "../harness/backends.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const msg = (key: string, value: string, headers: Record<string, string> = {}): OutgoingRecord => ({
  key: enc(key),
  value: enc(value),
  headers: Object.entries(headers).map(([k, v]) => ({ key: k, value: enc(v) })),
  timestampMs: 0,
});

export type StreamFixture = { log: StreamLog; groupMembers?(groupId: string): Promise<number>; cleanup(topics: string[]): Promise<void> };

/** Reads until `count` records arrived (or fails after `timeoutMs`), then cancels the subscription. */
export async function readN(log: StreamLog, options: SubscribeOptions, count: number, timeoutMs = 15_000): Promise<IncomingRecord[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const out: IncomingRecord[] = [];
  try {
    const sub = await log.subscribe(options, ac.signal);
    for await (const batch of sub.batches) {
      out.push(...batch);
      if (out.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return out;
}

/** What every StreamLog adapter must do. Topics carry a per-suite suffix and are deleted after. */
export function streamLogContract(name: string, open: () => Promise<StreamFixture>): void {
  describe(`StreamLog contract: ${name}`, () => {
    let fx: StreamFixture;
    const topics: string[] = [];
    const topic = async (partitions = 3) => {
      const t = `test_${uniqueSuffix()}`;
      topics.push(t);
      await fx.log.createTopic({ name: t, partitions, retentionMs: 3_600_000, replicationFactor: 1 });
      return t;
    };

    beforeAll(async () => {
      fx = await open();
    });
    afterAll(async () => fx?.cleanup(topics));

    it("creates and lists topics; a second create is ALREADY_EXISTS", async () => {
      const t = await topic(4);
      const listed = (await fx.log.listTopics()).find((x) => x.name === t);
      expect(listed).toMatchObject({ name: t, partitions: 4, replicationFactor: 1, retentionMs: 3_600_000 });
      await expect(fx.log.createTopic({ name: t, partitions: 1, retentionMs: 0, replicationFactor: 1 })).rejects.toBeInstanceOf(AlreadyExistsError);
    });

    it("publishing to an unknown topic is NOT_FOUND", async () => {
      await expect(fx.log.publish(`missing_${uniqueSuffix()}`, [msg("k", "v")])).rejects.toBeInstanceOf(NotFoundError);
    });

    it("publishes with keys and headers; same key, same partition, increasing offsets", async () => {
      const t = await topic(3);
      const results = await fx.log.publish(t, [msg("EURUSD", "1"), msg("EURUSD", "2"), msg("XAUUSD", "3"), msg("EURUSD", "4")]);
      expect(results).toHaveLength(4);
      const eur = [results[0]!, results[1]!, results[3]!];
      expect(new Set(eur.map((r) => r.partition)).size).toBe(1);
      expect(eur[1]!.offset).toBeGreaterThan(eur[0]!.offset);
      expect(eur[2]!.offset).toBeGreaterThan(eur[1]!.offset);
      const read = await readN(fx.log, { topic: t, start: { kind: "earliest" }, groupId: undefined, autoCommit: false, maxBatch: 100 }, 4);
      const byValue = new Map(read.map((r) => [dec(r.value), r]));
      expect(dec(byValue.get("4")!.key)).toBe("EURUSD");
      await fx.log.publish(t, [msg("h", "with-headers", { source: "mt5", trace: "abc" })]);
      const all = await readN(fx.log, { topic: t, start: { kind: "earliest" }, groupId: undefined, autoCommit: false, maxBatch: 100 }, 5);
      const got = all.find((r) => dec(r.value) === "with-headers");
      expect(got?.headers.map((x) => [x.key, dec(x.value)])).toEqual([
        ["source", "mt5"],
        ["trace", "abc"],
      ]);
    });

    it("concurrent publishes to one partition all land, each message with its own offset", async () => {
      const t = await topic(2);
      const callers = 8;
      const perCaller = 50;
      const results = await Promise.all(
        Array.from({ length: callers }, (_, c) => fx.log.publish(t, Array.from({ length: perCaller }, (_, i) => msg("EURUSD", `${c}:${i}`)))),
      );
      const offsets = results.flat().map((r) => r.offset);
      expect(new Set(offsets).size).toBe(callers * perCaller);
      expect(new Set(results.flat().map((r) => r.partition)).size).toBe(1);
      for (const own of results) expect(own.map((r) => r.offset)).toEqual([...own.map((r) => r.offset)].sort((a, b) => (a < b ? -1 : 1)));
      const read = await readN(fx.log, { topic: t, start: { kind: "earliest" }, groupId: undefined, autoCommit: false, maxBatch: 1000 }, callers * perCaller);
      const offsetOf = new Map(read.map((r) => [dec(r.value), r.offset]));
      expect(offsetOf.size).toBe(callers * perCaller);
      results.forEach((own, c) => own.forEach((r, i) => expect(offsetOf.get(`${c}:${i}`)).toBe(r.offset)));
    });

    it("reads from earliest, from an offset and from a timestamp", async () => {
      const t = await topic(1);
      await fx.log.publish(t, [msg("", "a"), msg("", "b")]);
      await new Promise((r) => setTimeout(r, 30));
      const after = Date.now();
      await new Promise((r) => setTimeout(r, 30));
      const [c] = await fx.log.publish(t, [msg("", "c"), msg("", "d")]);
      const base = { topic: t, groupId: undefined, autoCommit: false, maxBatch: 100 } as const;
      expect((await readN(fx.log, { ...base, start: { kind: "earliest" } }, 4)).map((r) => dec(r.value))).toEqual(["a", "b", "c", "d"]);
      expect((await readN(fx.log, { ...base, start: { kind: "offset", offset: c!.offset } }, 2)).map((r) => dec(r.value))).toEqual(["c", "d"]);
      expect((await readN(fx.log, { ...base, start: { kind: "timestamp", timestampMs: after } }, 2)).map((r) => dec(r.value))).toEqual(["c", "d"]);
    });

    it("reads only new records from latest", async () => {
      const t = await topic(1);
      await fx.log.publish(t, [msg("", "old")]);
      const reading = readN(fx.log, { topic: t, start: { kind: "latest" }, groupId: undefined, autoCommit: false, maxBatch: 100 }, 1);
      await new Promise((r) => setTimeout(r, 1500));
      await fx.log.publish(t, [msg("", "new")]);
      expect((await reading).map((r) => dec(r.value))).toEqual(["new"]);
    });

    it("from latest, a record appended the moment subscribe resolves is read: the end is fixed before it resolves", async () => {
      const t = await topic(2);
      await fx.log.publish(t, [msg("a", "old"), msg("b", "old")]);
      for (let round = 0; round < 5; round++) {
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), 10_000);
        try {
          const sub = await fx.log.subscribe({ topic: t, start: { kind: "latest" }, groupId: undefined, autoCommit: false, maxBatch: 100 }, ac.signal);
          await fx.log.publish(t, [msg("a", `new-${round}`)]);
          const got: string[] = [];
          for await (const batch of sub.batches) {
            got.push(...batch.map((r) => dec(r.value)));
            if (got.length > 0) break;
          }
          expect(got).toEqual([`new-${round}`]);
        } finally {
          clearTimeout(timer);
          ac.abort();
        }
      }
    });

    it("a group resumes from its committed offsets and leaves no member behind", async () => {
      const t = await topic(1);
      const group = `g_${uniqueSuffix()}`;
      await fx.log.publish(t, ["1", "2", "3"].map((v) => msg("", v)));
      const opts: SubscribeOptions = { topic: t, start: { kind: "earliest" }, groupId: group, autoCommit: false, maxBatch: 1 };
      const ac = new AbortController();
      const sub = await fx.log.subscribe(opts, ac.signal);
      const seen: string[] = [];
      for await (const batch of sub.batches) {
        seen.push(...batch.map((r) => dec(r.value)));
        if (seen.length >= 2) {
          const last = batch.at(-1)!;
          await sub.commit([{ partition: last.partition, offset: last.offset + 1n }]);
          break;
        }
      }
      ac.abort();
      expect(seen).toEqual(["1", "2"]);
      if (fx.groupMembers) {
        const deadline = Date.now() + 15_000;
        while ((await fx.groupMembers(group)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        expect(await fx.groupMembers(group)).toBe(0);
      }
      expect((await readN(fx.log, opts, 1)).map((r) => dec(r.value))).toEqual(["3"]);
    });
  });
}
