import { createClient } from "@clickhouse/client";
import { describe, expect, it } from "vitest";
import { literal } from "../../src/backends/clickhouse/sql.js";
import { statements } from "../../src/backends/clickhouse/migrator.js";
import { blockFromTicks } from "../../src/ingest/tick-block.js";
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

    it("migrates down and up again, recording each step", async () => {
      const db = await createTempClickHouseDatabase(url);
      const { store, migrator } = await openClickHouseTickStore(db.url);
      try {
        expect((await migrator.status()).currentVersion).toBe(1);
        expect((await migrator.rollbackTo(0)).currentVersion).toBe(0);
        const ch = createClient({ url: db.url });
        const tables = await (await ch.query({ query: "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name", format: "JSONEachRow" })).json();
        expect(tables).toEqual([{ name: "schema_migrations" }]);
        await ch.close();
        expect((await migrator.migrateTo()).migrations.map((m) => m.applied)).toEqual([true]);
      } finally {
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
