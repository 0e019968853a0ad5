import { createClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectCapabilities } from "../../src/backends/clickhouse/capabilities.js";
import type { ClickHouseTickStore } from "../../src/backends/clickhouse/tick-store.js";
import { EmbeddedTickStore } from "../../src/backends/embedded/tick-store.js";
import { blockFromTicks } from "../../src/tick-block/proto-codec.js";
import type { PriceField } from "../../src/ports/tick-store.js";
import { TIMEFRAME_MS } from "../../src/services/bar-series.js";
import { createTempClickHouseDatabase, openClickHouseTickStore } from "../harness/clickhouse.js";
import { tick } from "../harness/ticks.js";

const url = process.env.CLICKHOUSE_URL!;

// Run by npm run test:clickhouse-modern, against the current engine (chdb) behind the HTTP endpoint.
describe("the current ClickHouse engine", () => {
  let db: Awaited<ReturnType<typeof createTempClickHouseDatabase>>;
  let store: ClickHouseTickStore;
  const embedded = EmbeddedTickStore.open(undefined);

  beforeAll(async () => {
    db = await createTempClickHouseDatabase(url);
    ({ store } = await openClickHouseTickStore(db.url));
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("is detected as modern from its own version answer", async () => {
    const ch = createClient({ url });
    try {
      const caps = await detectCapabilities(ch);
      expect(Number(caps.version.split(".")[0])).toBeGreaterThanOrEqual(21);
      expect(caps.modern).toBe(true);
      expect(store.caps).toEqual(caps);
    } finally {
      await ch.close();
    }
  });

  it("computes the same candles as the embedded store for every timeframe and price", async () => {
    const start = Math.floor((Date.now() - 3 * 86_400_000) / 86_400_000) * 86_400_000;
    // Three days of ticks, unevenly spaced, two brokers, so every timeframe has several bars.
    const ticks = Array.from({ length: 600 }, (_, i) =>
      tick({ symbol: "CANDLES", broker: i % 4 ? "A" : "B", timeMsc: BigInt(start + Math.floor((i * i * 797) % (3 * 86_400_000))), bid: 1 + ((i * 37) % 101) / 1000, ask: 1.2 + ((i * 37) % 101) / 1000, last: (i % 7) / 10, volume: (i % 5) + 0.5 }),
    );
    const block = blockFromTicks(ticks);
    expect(await store.insert("candles", block)).toBe("stored");
    await (await embedded).insert("candles", block);
    for (const timeframeMs of Object.values(TIMEFRAME_MS)) {
      for (const price of ["bid", "ask", "mid", "last"] as PriceField[]) {
        for (const broker of [undefined, "B"]) {
          const q = { symbol: "CANDLES", broker, timeframeMs, startMsc: start, endMsc: start + 3 * 86_400_000, price, limit: 10_000 };
          const [fromClickHouse, fromEmbedded] = [await store.candles(q), await (await embedded).candles(q)];
          expect(fromClickHouse.length).toBeGreaterThan(0);
          expect(fromClickHouse.map((b) => ({ ...b, volume: Number(b.volume.toFixed(9)) }))).toEqual(fromEmbedded.map((b) => ({ ...b, volume: Number(b.volume.toFixed(9)) })));
        }
      }
    }
  });
});
