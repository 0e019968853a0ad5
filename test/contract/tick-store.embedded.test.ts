import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedTickStore } from "../../src/backends/embedded/tick-store.js";
import { tickStoreContract } from "./tick-store.contract.js";

tickStoreContract("embedded, in memory", async () => {
  const store = await EmbeddedTickStore.open(undefined);
  return { store, cleanup: () => store.close() };
});

tickStoreContract("embedded, journaled on disk", async () => {
  const dir = await mkdtemp(join(tmpdir(), "neliti-ticks-"));
  let store = await EmbeddedTickStore.open(dir);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await EmbeddedTickStore.open(dir);
      return store;
    },
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
