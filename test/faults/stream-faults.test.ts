import { performance } from "node:perf_hooks";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, expect, it } from "vitest";
import { CommitMode, StartPosition } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import { connect, StreamService } from "../../src/client.js";
import { uniqueSuffix } from "../harness/backends.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { describeFaults, killBackend, startBackend } from "../harness/stack-control.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describeFaults("kafka", "streams when the broker dies: bounded failure, then resume from the committed offset", (brokers) => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop("SIGKILL");
    startBackend("kafka");
  });

  it("Publish answers UNAVAILABLE within its deadline while the broker is down; a group resumes where it committed", async () => {
    server = await startServerProcess({ KAFKA_BROKERS: brokers, AUTH_JWT_SECRET: "s".repeat(32), AUTH_ENABLED: "false" });
    const stream = connect(StreamService, { baseUrl: server.url });
    const topic = `fault_${uniqueSuffix()}`;
    const group = `g_${uniqueSuffix()}`;
    await stream.createTopic({ name: topic, partitions: 1, retentionMs: 3_600_000n });
    await stream.publish({ topic, messages: ["1", "2", "3", "4", "5"].map((v) => ({ value: enc(v) })) });

    // Read three as the group and commit them.
    const ac = new AbortController();
    const firstRead: string[] = [];
    for await (const res of stream.subscribe({ topic, groupId: group, start: { case: "position", value: StartPosition.EARLIEST }, commitMode: CommitMode.MANUAL, maxBatch: 1 }, { signal: ac.signal })) {
      firstRead.push(...res.messages.map((m) => dec(m.value)));
      if (firstRead.length === 3) {
        await stream.commitOffsets({ subscriptionId: res.subscriptionId, offsets: [{ partition: 0, offset: res.messages.at(-1)!.offset + 1n }] });
        break;
      }
    }
    ac.abort();
    expect(firstRead).toEqual(["1", "2", "3"]);

    killBackend("kafka");
    const outcomes: { code: Code; ms: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      const err = await stream.publish({ topic, messages: [{ value: enc("lost?") }] }, { timeoutMs: 30_000 }).catch((e: unknown) => e);
      outcomes.push({ code: (err as ConnectError).code, ms: performance.now() - t });
    }
    expect(outcomes.map((o) => o.code)).toEqual([Code.Unavailable, Code.Unavailable, Code.Unavailable, Code.Unavailable]);
    // Bounded: timeout x (retries + 1) at most, and fast once the breaker is open.
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(12_000);
    expect(outcomes.at(-1)!.ms).toBeLessThan(500);

    startBackend("kafka");
    const deadline = Date.now() + 90_000;
    let published = false;
    while (!published && Date.now() < deadline) {
      published = await stream.publish({ topic, messages: [{ value: enc("6") }, { value: enc("7") }] }).then(
        () => true,
        () => false,
      );
      if (!published) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(published).toBe(true);

    // The group coordinator may still be loading after the restart: like any client, retry
    // UNAVAILABLE. Nothing is committed until the reader commits, so a retry loses nothing.
    let resumed: string[] = [];
    const until = Date.now() + 90_000;
    while (resumed.length < 4 && Date.now() < until) {
      resumed = [];
      const ac2 = new AbortController();
      const timer = setTimeout(() => ac2.abort(), 30_000);
      try {
        for await (const res of stream.subscribe({ topic, groupId: group, commitMode: CommitMode.MANUAL }, { signal: ac2.signal })) {
          resumed.push(...res.messages.map((m) => dec(m.value)));
          if (resumed.length >= 4) break;
        }
      } catch (err) {
        const code = (err as ConnectError).code;
        if (code !== Code.Unavailable && !(code === Code.Canceled && ac2.signal.aborted)) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        clearTimeout(timer);
        ac2.abort();
      }
    }
    expect(resumed).toEqual(["4", "5", "6", "7"]);
  });
});
