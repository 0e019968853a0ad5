import { performance } from "node:perf_hooks";
import { SqlGraphStore } from "../src/backends/postgres/graph-store.js";
import type { EdgeRecord, EdgeType, VertexKind, VertexRecord } from "../src/ports/graph-store.js";
import { openSql } from "../test/harness/sql-stores.js";
import { arg, machine, requireEnv, seededRandom, summarize } from "./lib.js";

/** A generated strategy graph (10k vertices, 50k edges) on the PostgreSQL adapter; traversal latency by depth. */
export async function run() {
  const postgresUrl = requireEnv("POSTGRES_URL");
  const queries = arg("queries", 300);
  const fx = await openSql({ postgresUrl });
  try {
    const store = new SqlGraphStore(fx.sql, fx.adapter);
    const kinds: [VertexKind, number][] = [["strategy", 3000], ["indicator", 2000], ["instrument", 3000], ["user", 1500], ["role", 400], ["permission", 100]];
    const vertices: VertexRecord[] = kinds.flatMap(([kind, n]) => Array.from({ length: n }, (_, i) => ({ kind, key: `${kind}-${i}`, properties: { i } })));
    const random = seededRandom(42);
    const rand = (n: number) => Math.floor(random() * n);
    const pick = (kind: VertexKind) => ({ kind, key: `${kind}-${rand(kinds.find((k) => k[0] === kind)![1])}` });
    const shapes: [VertexKind, EdgeType, VertexKind][] = [
      ["strategy", "uses_indicator", "indicator"],
      ["strategy", "trades", "instrument"],
      ["strategy", "depends_on", "strategy"],
      ["indicator", "computed_on", "instrument"],
      ["instrument", "correlates_with", "instrument"],
      ["user", "has_role", "role"],
      ["role", "grants", "permission"],
    ];
    const edges = new Map<string, EdgeRecord>();
    while (edges.size < 50_000) {
      const [f, type, t] = shapes[rand(shapes.length)]!;
      const e = { from: pick(f), to: pick(t), type, weight: 1 + rand(100) / 100, properties: {} };
      edges.set(`${e.from.key}|${type}|${e.to.key}`, e);
    }
    for (let i = 0; i < vertices.length; i += 5000) await store.upsertVertices(vertices.slice(i, i + 5000));
    const all = [...edges.values()];
    for (let i = 0; i < all.length; i += 10_000) await store.upsertEdges(all.slice(i, i + 10_000));
    await fx.sql.query("ANALYZE");
    console.log(`graph bench: ${vertices.length} vertices, ${all.length} edges on ${fx.adapter}; ${machine()}`);
    const out: Record<string, ReturnType<typeof summarize> & { meanHits: number }> = {};
    for (const depth of [1, 2, 3]) {
      const lat: number[] = [];
      let hits = 0;
      for (let q = 0; q < queries; q++) {
        const t = performance.now();
        hits += (await store.traverse({ start: pick("strategy"), direction: "outbound", minDepth: 1, maxDepth: depth, edgeTypes: [], limit: 10_000 })).length;
        lat.push(performance.now() - t);
      }
      out[`depth${depth}`] = { ...summarize(lat), meanHits: Math.round(hits / queries) };
      console.log(`  depth ${depth}: p50 ${out[`depth${depth}`]!.p50} ms, p99 ${out[`depth${depth}`]!.p99} ms, ${out[`depth${depth}`]!.meanHits} vertices reached on average (target p99 <= 10 ms)`);
    }
    return { bench: "graph", machine: machine(), date: new Date().toISOString(), vertices: vertices.length, edges: all.length, ...out };
  } finally {
    await fx.cleanup();
  }
}
