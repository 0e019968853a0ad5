import { EmbeddedStreamLog } from "../../src/backends/embedded/stream-log.js";
import { streamLogContract } from "./stream-log.contract.js";

streamLogContract("embedded", async () => {
  const log = new EmbeddedStreamLog();
  return { log, groupMembers: async (g) => log.groupMembers(g), cleanup: () => log.close() };
});
