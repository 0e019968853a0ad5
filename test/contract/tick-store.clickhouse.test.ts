import { createClient } from "@clickhouse/client";
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { literal } from "../../src/backends/clickhouse/sql.js";
import { statements } from "../../src/backends/clickhouse/migrator.js";
import { blockFromTicks } from "../../src/tick-block/proto-codec.js";
import { blockFromRows, brokerAt, compareReplayOrder, symbolAt } from "../../src/tick-block/tick-block.js";
import { TickColumnsSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { tickArrays } from "../../src/client.js";
import { describeWithBackend } from "../harness/backends.js";
import { createTempClickHouseDatabase, openClickHouseTickStore } from "../harness/clickhouse.js";
import { tick } from "../harness/ticks.js";
import { tickStoreContract } from "./tick-store.contract.js";

describeWithBackend("clickhouse", "real ClickHouse", (url) => {
  tickStoreContract("ClickHouse", async () => {
    const db = await createTempClickHouseDatabase(url);
    let { store } = await openClickHouseTickStore(db.url);
    return {
      store,
      reopen: async () => {
        await store.close();
        ({ store } = await openClickHouseTickStore(db.url));
        return store;
      },
      cleanup: async () => {
        await store.close();
        await db.drop();
      },
    };
  });

  describe("ClickHouse specifics", () => {
    it("string literals on servers without query parameters carry any bytes as data", async () => {
      const ch = createClient({ url });
      try {
        for (const s of ["plain", "it's", "back\\slash", "quote'); DROP TABLE ticks; --", "\u0000nul", "ünïcode 📈", "{p0:String}", "\\x27"]) {
          const rs = await ch.query({ query: `SELECT ${literal({ type: "String", value: s })} AS s`, format: "JSONEachRow" });
          expect(await rs.json()).toEqual([{ s }]);
        }
      } finally {
        await ch.close();
      }
      expect(() => literal({ type: "Int64", value: 1.5 })).toThrow(RangeError);
      expect(() => literal({ type: "UInt32", value: -1 })).toThrow(RangeError);
    });

    it("one group-committed Native INSERT stores every column of every batch exactly", async () => {
      const db = await createTempClickHouseDatabase(url);
      const { store } = await openClickHouseTickStore(db.url);
      const ch = createClient({ url: db.url, clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
      try {
        const now = Date.now();
        // Sizes that exercise the doubling copy of batch ids (1, 2, 3, 7 rows) and times past 2^32 ms.
        const sizes = [1, 2, 3, 7];
        const batches = sizes.map((n, b) =>
          blockFromTicks(
            Array.from({ length: n }, (_, i) =>
              tick({ symbol: `NAT${i % 3}`, broker: b % 2 ? "Broker ünï" : "B", timeMsc: BigInt(now - 1000 * b - i), bid: 1 + i / 7, ask: 2 + b, last: i, volume: 0.25 * i, flags: 2 ** 31 + i, accountType: 1 + (i % 3) }),
            ),
          ),
        );
        expect(await Promise.all(batches.map((block, b) => store.insert(`nat-${b}`, block)))).toEqual(sizes.map(() => "stored"));
        const rows = await (
          await ch.query({
            query: `SELECT batch_id, symbol, broker, account_type, ${store.caps.modern ? "toUnixTimestamp64Milli(ts)" : "ts"} AS ts, bid, ask, last, volume, flags FROM ticks ORDER BY batch_id, ts DESC`,
            format: "JSONEachRow",
          })
        ).json<Record<string, unknown>>();
        const expected = batches.flatMap((block, b) =>
          Array.from({ length: block.length }, (_, i) => ({
            batch_id: `nat-${b}`,
            symbol: symbolAt(block, i),
            broker: brokerAt(block, i),
            account_type: block.accountType[i],
            ts: block.timeMsc[i],
            bid: block.bid[i],
            ask: block.ask[i],
            last: block.last[i],
            volume: block.volume[i],
            flags: block.flags[i],
          })),
        );
        expect(rows).toEqual(expected);
      } finally {
        await ch.close();
        await store.close();
        await db.drop();
      }
    });

    it("migrates down and up again, recording each step", async () => {
      const db = await createTempClickHouseDatabase(url);
      const { store, migrator } = await openClickHouseTickStore(db.url);
      const ch = createClient({ url: db.url, clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
      try {
        expect((await migrator.status()).currentVersion).toBe(3);
        expect((await migrator.rollbackTo(1)).currentVersion).toBe(1);
        expect((await migrator.rollbackTo(0)).currentVersion).toBe(0);
        const tables = await (await ch.query({ query: "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name", format: "JSONEachRow" })).json();
        expect(tables).toEqual([{ name: "schema_migrations" }]);
        expect((await migrator.migrateTo()).migrations.map((m) => m.applied)).toEqual([true, true, true]);
      } finally {
        await ch.close();
        await store.close();
        await db.drop();
      }
    });

    it("a columnar read without a broker takes its dictionary from the catalog: brokers with a tick before the end, rows of no other", async () => {
      const db = await createTempClickHouseDatabase(url);
      const { store } = await openClickHouseTickStore(db.url);
      try {
        const t0 = Date.now() - 60_000;
        const at = (broker: string, dt: number) => tick({ symbol: "DICT", broker, timeMsc: BigInt(t0 + dt), bid: dt });
        // EARLY ticks only before the range, IN inside it, LATE only after its end.
        expect(await store.insert("dict-1", blockFromTicks([at("EARLY", 0), at("IN", 10), at("IN", 12), at("LATE", 30)]))).toBe("stored");
        const seen: string[] = [];
        let dictionary: string[] = [];
        for await (const c of store.rangeColumns({ symbol: "DICT", broker: undefined, startMsc: t0 + 5, endMsc: t0 + 20, chunkSize: 100 })) {
          dictionary = c.brokers;
          const index = new Uint32Array(new Uint8Array(c.brokerIndex).buffer);
          for (let i = 0; i < c.length; i++) seen.push(c.brokers[index[i]!]!);
        }
        expect(dictionary).toEqual(["EARLY", "IN"]);
        expect(seen).toEqual(["IN", "IN"]);
      } finally {
        await store.close();
        await db.drop();
      }
    });

    it("replays thousands of ticks with ties, read in socket-sized pieces, in the total order", async () => {
      const db = await createTempClickHouseDatabase(url);
      const { store } = await openClickHouseTickStore(db.url);
      try {
        const t0 = Date.now() - 600_000;
        // 3 symbols x 2 brokers, 40,000 ticks over 4,000 ms: runs of equal times everywhere, each
        // column crossing the service's socket reads at some odd offset.
        const rows = Array.from({ length: 40_000 }, (_, i) => ({ symbol: ["TIEA", "TIEB", "TIEC"][i % 3]!, broker: ["L", "R"][(i >> 2) % 2]!, accountType: 2, timeMsc: t0 + ((i * 7919) % 4000), bid: 1 + (i % 5), ask: 2 + (i % 3), last: 0, volume: 1, flags: 6 }));
        for (let i = 0; i < rows.length; i += 10_000) expect(await store.insert(`ties-${i}`, blockFromRows(rows.slice(i, i + 10_000)))).toBe("stored");
        const got: string[] = [];
        for await (const c of store.replay({ symbols: ["TIEC", "TIEA", "TIEB"], brokers: [], startMsc: t0, endMsc: t0 + 4000, chunkSize: 999, skip: 0 })) {
          const x = tickArrays(create(TickColumnsSchema, c));
          for (let i = 0; i < c.length; i++) got.push(`${x.timeMsc[i]} ${x.symbols[x.symbolIndex[i]!]} ${x.brokers[x.brokerIndex[i]!]} ${x.bid[i]} ${x.ask[i]}`);
        }
        const expected = [...rows].sort(compareReplayOrder).map((r) => `${r.timeMsc} ${r.symbol} ${r.broker} ${r.bid} ${r.ask}`);
        expect(got.length).toBe(expected.length);
        expect(got).toEqual(expected);
      } finally {
        await store.close();
        await db.drop();
      }
    });

    it("folds the series catalog into a row per series, and keeps each series' first tick across its migration", async () => {
      const db = await createTempClickHouseDatabase(url);
      const { store, migrator } = await openClickHouseTickStore(db.url);
      const ch = createClient({ url: db.url, clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
      const time = store.caps.modern ? "toUnixTimestamp64Milli" : "toInt64";
      const catalog = async (sql: string) => (await ch.query({ query: sql, format: "JSONEachRow" })).json<{ symbol: string; broker: string; first: number }>();
      const folded = `SELECT symbol, broker, ${time}(minMerge(first_ts)) AS first FROM tick_series_first GROUP BY symbol, broker ORDER BY symbol, broker`;
      try {
        const t0 = Date.now() - 60_000;
        // Ten INSERTs, each with both series, the earliest tick of each in a later one.
        for (let b = 0; b < 10; b++) {
          const ticks = ["CATA", "CATB"].map((symbol, i) => tick({ symbol, broker: "B", timeMsc: BigInt(t0 + 1000 - 100 * b + i) }));
          expect(await store.insert(`cat-${b}`, blockFromTicks(ticks))).toBe("stored");
        }
        const expected = [
          { symbol: "CATA", broker: "B", first: t0 + 100 },
          { symbol: "CATB", broker: "B", first: t0 + 101 },
        ];
        expect(await catalog(folded)).toEqual(expected);
        await ch.command({ query: "OPTIMIZE TABLE tick_series_first FINAL" });
        const [{ rows } = { rows: -1 }] = await (await ch.query({ query: "SELECT count() AS rows FROM tick_series_first", format: "JSONEachRow" })).json<{ rows: number }>();
        console.log(`series catalog rows after 10 INSERTs of 2 series, merged: ${rows} (expected 2)`);
        expect(rows).toBe(2);
        expect((await migrator.rollbackTo(2)).currentVersion).toBe(2);
        expect(await catalog(`SELECT symbol, broker, ${time}(min(first_ts)) AS first FROM tick_series GROUP BY symbol, broker ORDER BY symbol, broker`)).toEqual(expected);
        expect((await migrator.migrateTo()).currentVersion).toBe(3);
        expect(await catalog(folded)).toEqual(expected);
      } finally {
        await ch.close();
        await store.close();
        await db.drop();
      }
    });

    it("a flush that is retried after the server committed it stores nothing twice", async () => {
      const db = await createTempClickHouseDatabase(url);
      const first = await openClickHouseTickStore(db.url);
      const second = await openClickHouseTickStore(db.url);
      try {
        const block = blockFromTicks([tick({ symbol: "RETRY" }), tick({ symbol: "RETRY" })]);
        expect(await first.store.insert("same-batch", block)).toBe("stored");
        // A second service instance (or a restart) has no memory of it: tick_batches answers.
        expect(await second.store.insert("same-batch", block)).toBe("duplicate");
        expect(await second.store.recent("RETRY", undefined, 10)).toHaveLength(2);
      } finally {
        await first.store.close();
        await second.store.close();
        await db.drop();
      }
    });

    it("a replay finds a batch whose rows were committed without their tick_batches record", async () => {
      const db = await createTempClickHouseDatabase(url);
      const first = await openClickHouseTickStore(db.url);
      const replayer = await openClickHouseTickStore(db.url);
      try {
        const block = blockFromTicks([tick({ symbol: "TORN" }), tick({ symbol: "TORN2", timeMsc: BigInt(Date.now() - 5) })]);
        expect(await first.store.insert("torn-batch", block)).toBe("stored");
        // What a server killed between the ticks part and the materialized view's part leaves behind.
        const ch = createClient({ url: db.url });
        await ch.command({ query: "TRUNCATE TABLE tick_batches" });
        await ch.close();
        expect(await replayer.store.insert("torn-batch", block, undefined, { verify: true })).toBe("duplicate");
        expect(await replayer.store.recent("TORN", undefined, 10)).toHaveLength(1);
      } finally {
        await first.store.close();
        await replayer.store.close();
        await db.drop();
      }
    });
  });
});

describe("ClickHouse migration files", () => {
  it("keep the section for the server generation and split statements", () => {
    const sql = "CREATE TABLE a (x Int8);\n-- @legacy\nCREATE TABLE b (t Int64);\n-- @modern\nCREATE TABLE b (t DateTime64(3));\n-- @end\n-- a comment\nCREATE VIEW c AS SELECT 1;";
    expect(statements(sql, false)).toEqual(["CREATE TABLE a (x Int8)", "CREATE TABLE b (t Int64)", "CREATE VIEW c AS SELECT 1"]);
    expect(statements(sql, true)).toEqual(["CREATE TABLE a (x Int8)", "CREATE TABLE b (t DateTime64(3))", "CREATE VIEW c AS SELECT 1"]);
  });
});
