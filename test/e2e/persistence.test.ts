import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WriteTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { connect, TickService, UserService, VectorService } from "../../src/client.js";
import { startServerProcess } from "../harness/server-process.js";
import { rowsBatch, series } from "../harness/ticks.js";
import { one } from "../harness/streams.js";

describe("embedded mode keeps its data across a restart", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "neliti-data-"));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it("starts on a data directory that does not exist yet, and finds ticks, users and vectors again after a restart", async () => {
    // A fresh checkout's ./data does not exist: the service must create it.
    const env = { IN_MEMORY: "false", DATA_DIR: join(root, "not", "yet", "there") };
    const first = await startServerProcess(env);
    const ticks = connect(TickService, { baseUrl: first.url });
    await ticks.writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch("persist-1", series(3, { symbol: "KEEP" })) })));
    await connect(UserService, { baseUrl: first.url }).createUser({ email: "keep@example.com", password: "a long password" });
    const id = "5f0c6a55-51a2-4c8e-9d7c-3f8c1f0a2b12";
    await connect(VectorService, { baseUrl: first.url }).upsertObjects({
      collection: "MarketSentiment",
      objects: [{ id, vector: Array.from({ length: 384 }, (_, i) => (i === 3 ? 1 : 0)), properties: { symbol: "KEEP" } }],
    });
    expect(await first.stop("SIGTERM")).toBe(0);

    const second = await startServerProcess(env);
    try {
      expect((await connect(TickService, { baseUrl: second.url }).getRecentTicks({ symbol: "KEEP", limit: 10 })).ticks).toHaveLength(3);
      const session = await connect(UserService, { baseUrl: second.url }).authenticate({ email: "keep@example.com", password: "a long password" });
      expect(session.session?.token).toBeTruthy();
      expect((await connect(VectorService, { baseUrl: second.url }).getObject({ collection: "MarketSentiment", id })).object?.id).toBe(id);
      // The retried batch is still known.
      const again = await connect(TickService, { baseUrl: second.url }).writeTicks(
        one(create(WriteTicksRequestSchema, { batch: rowsBatch("persist-1", series(3, { symbol: "KEEP" })) })),
      );
      expect(again.duplicateBatches).toBe(1n);
    } finally {
      await second.stop("SIGTERM");
    }
  });
});
