import { Admin } from "@platformatic/kafka";
import { EmbeddedStreamLog } from "../../src/backends/embedded/stream-log.js";
import { KafkaStreamLog } from "../../src/backends/kafka/stream-log.js";
import { describeWithBackend, uniqueSuffix } from "../harness/backends.js";
import { streamLogContract } from "./stream-log.contract.js";

streamLogContract("embedded", async () => {
  const log = new EmbeddedStreamLog();
  return { log, groupMembers: async (g) => log.groupMembers(g), cleanup: () => log.close() };
});

describeWithBackend("kafka", "real Kafka (Redpanda protocol)", (brokers) => {
  streamLogContract("Kafka", async () => {
    const log = new KafkaStreamLog({ brokers: brokers.split(","), clientId: `test-${uniqueSuffix()}`, timeoutMs: 5000, retries: 2 });
    const admin = new Admin({ clientId: "test-admin", bootstrapBrokers: brokers.split(",") });
    return {
      log,
      groupMembers: async (groupId) => {
        const groups = await admin.describeGroups({ groups: [groupId] });
        return groups.get(groupId)?.members.size ?? 0;
      },
      cleanup: async (topics) => {
        if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
        await admin.close();
        await log.close();
      },
    };
  });
});
