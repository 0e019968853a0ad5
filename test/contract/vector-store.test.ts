import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedVectorStore } from "../../src/backends/embedded/vector-store.js";
import { vectorStoreContract } from "./vector-store.contract.js";

vectorStoreContract("embedded, journaled on disk", async () => {
  const dir = await mkdtemp(join(tmpdir(), "neliti-vectors-"));
  const store = await EmbeddedVectorStore.open(dir);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
