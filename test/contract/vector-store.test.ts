import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import weaviate from "weaviate-client";
import { type EmbeddedVectorOptions, EmbeddedVectorStore } from "../../src/backends/embedded/vector-store.js";
import { WeaviateVectorStore } from "../../src/backends/weaviate/vector-store.js";
import { describeWithBackend } from "../harness/backends.js";
import { vectorStoreContract } from "./vector-store.contract.js";

const embedded = (options: Partial<EmbeddedVectorOptions>) => async () => {
  const dir = await mkdtemp(join(tmpdir(), "neliti-vectors-"));
  const store = await EmbeddedVectorStore.open(dir, options);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

vectorStoreContract("embedded, journaled on disk, exact scan", embedded({ exactScanMax: Number.MAX_SAFE_INTEGER }));
vectorStoreContract("embedded, journaled on disk, HNSW index", embedded({ exactScanMax: 0 }));

describeWithBackend("weaviate", "real Weaviate", (url) => {
  vectorStoreContract("Weaviate", async () => {
    const store = await WeaviateVectorStore.open({ url, grpcPort: Number(process.env.WEAVIATE_GRPC_PORT ?? 50051), timeoutMs: 10_000 });
    const admin = await weaviate.connectToCustom({
      httpHost: new URL(url).hostname,
      httpPort: Number(new URL(url).port),
      grpcHost: new URL(url).hostname,
      grpcPort: Number(process.env.WEAVIATE_GRPC_PORT ?? 50051),
    });
    return {
      store,
      cleanup: async (collections) => {
        for (const c of collections) await admin.collections.delete(c).catch(() => undefined);
        await admin.close();
        await store.close();
      },
    };
  });
});
