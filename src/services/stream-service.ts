import type { ServiceImpl } from "@connectrpc/connect";
import { CommitMode, type PublishResponse, PublishResponseSchema, type PublishResult, PublishResultSchema, StartPosition, type StreamService } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import type { StreamDomain } from "../domain/stream.js";
import type { StartFrom, TopicSpec } from "../ports/stream-log.js";

const topicProto = (t: TopicSpec) => ({ ...t, retentionMs: BigInt(t.retentionMs) });

/**
 * Publish's answer written out as protobuf-es messages (plain objects with their type name), not
 * through create()'s reflective copy of each of up to 10,000 results.
 */
function publishResponse(published: readonly { partition: number; offset: bigint }[]): PublishResponse {
  return {
    $typeName: PublishResponseSchema.typeName,
    results: published.map((r): PublishResult => ({ $typeName: PublishResultSchema.typeName, partition: r.partition, offset: r.offset })),
  };
}

function startFrom(start: { case: "position"; value: StartPosition } | { case: "offset" | "timestampMs"; value: bigint } | { case: undefined }): StartFrom {
  switch (start.case) {
    case "offset":
      return { kind: "offset", offset: start.value };
    case "timestampMs":
      return { kind: "timestamp", timestampMs: Number(start.value) };
    case "position":
      return start.value === StartPosition.EARLIEST ? { kind: "earliest" } : { kind: "latest" };
    default:
      return { kind: "latest" };
  }
}

/** Thin handlers: proto <-> StreamDomain. */
export function streamService(stream: StreamDomain): ServiceImpl<typeof StreamService> {
  return {
    async createTopic(req) {
      const topic = await stream.createTopic({
        name: req.name,
        partitions: req.partitions,
        retentionMs: Number(req.retentionMs),
        replicationFactor: req.replicationFactor,
      });
      return { topic: topicProto(topic) };
    },
    async listTopics() {
      return { topics: (await stream.listTopics()).map(topicProto) };
    },
    async publish(req) {
      const published = await stream.publish(
        req.topic,
        req.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers, timestampMs: Number(m.timestampMs) })),
      );
      return publishResponse(published);
    },
    async *subscribe(req, ctx) {
      const batches = stream.subscribe(
        {
          topic: req.topic,
          start: startFrom(req.start),
          groupId: req.groupId || undefined,
          autoCommit: req.commitMode !== CommitMode.MANUAL,
          maxBatch: req.maxBatch || 500,
        },
        ctx.signal,
      );
      for await (const { subscriptionId, batch } of batches) {
        yield {
          subscriptionId,
          messages: batch.map((m) => ({ ...m, timestampMs: BigInt(m.timestampMs) })),
        };
      }
    },
    async commitOffsets(req) {
      await stream.commit(req.subscriptionId, req.offsets);
      return {};
    },
  };
}
