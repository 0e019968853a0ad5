import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphDomain } from "../../src/domain/graph.js";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.js";
import type { EdgeRecord, EdgeType, GraphStore, VertexKind, VertexRef } from "../../src/ports/graph-store.js";

/** What every GraphStore adapter must do (PostgreSQL and PGlite in CI; ArangoDB when ARANGO_URL is set). */
export function graphStoreContract(name: string, open: () => Promise<{ store: GraphStore; cleanup(): Promise<void> }>): void {
  describe(`GraphStore contract: ${name}`, () => {
    let fx: { store: GraphStore; cleanup(): Promise<void> };
    let graph: GraphDomain;
    let ns: string;
    const v = (kind: VertexKind, key: string): VertexRef => ({ kind, key: `${ns}${key}` });
    const e = (from: VertexRef, to: VertexRef, type: EdgeType, weight = 1): EdgeRecord => ({ from, to, type, weight, properties: {} });
    const keys = (hits: { vertex: VertexRef }[]) => hits.map((h) => h.vertex.key.slice(ns.length));

    beforeAll(async () => {
      fx = await open();
      graph = new GraphDomain(fx.store, 6);
    });
    afterAll(async () => fx?.cleanup());

    /** s1 -uses-> rsi -computed_on-> eurusd; s1 -trades-> eurusd; s1 -depends_on-> s2 -uses-> ema; s2 -depends_on-> s1 (cycle). */
    async function strategyGraph() {
      ns = `${randomUUID().slice(0, 8)}_`;
      const s1 = v("strategy", "s1");
      const s2 = v("strategy", "s2");
      const rsi = v("indicator", "rsi");
      const ema = v("indicator", "ema");
      const eurusd = v("instrument", "eurusd");
      await graph.upsertVertices([s1, s2, rsi, ema, eurusd].map((r) => ({ ...r, properties: { name: r.key } })));
      await graph.upsertEdges([
        e(s1, rsi, "uses_indicator", 0.5),
        e(rsi, eurusd, "computed_on", 2),
        e(s1, eurusd, "trades", 3),
        e(s1, s2, "depends_on", 0.25),
        e(s2, ema, "uses_indicator", 4),
        e(s2, s1, "depends_on", 1),
      ]);
      return { s1, s2, rsi, ema, eurusd };
    }

    it("upserts and gets vertices with their properties; unknown vertex is NOT_FOUND", async () => {
      const { s1 } = await strategyGraph();
      expect((await graph.getVertex(s1)).properties).toEqual({ name: s1.key });
      await graph.upsertVertices([{ ...s1, properties: { name: "renamed", tags: ["a"] } }]);
      expect((await graph.getVertex(s1)).properties).toEqual({ name: "renamed", tags: ["a"] });
      await expect(graph.getVertex(v("strategy", "nope"))).rejects.toBeInstanceOf(NotFoundError);
    });

    it("walks outbound breadth-first, each vertex once at its smallest depth, in a deterministic order", async () => {
      const { s1 } = await strategyGraph();
      const hits = await graph.traverse({ start: s1, direction: "outbound", minDepth: 1, maxDepth: 3, edgeTypes: [], limit: 100 });
      // Ordered by depth, then kind name, then key.
      expect(hits.map((h) => [h.depth, h.vertex.kind, h.vertex.key.slice(ns.length)])).toEqual([
        [1, "indicator", "rsi"],
        [1, "instrument", "eurusd"],
        [1, "strategy", "s2"],
        [2, "indicator", "ema"],
      ]);
      const ema = hits.find((h) => h.vertex.key.endsWith("ema"))!;
      expect(ema.path.map((p) => p.type)).toEqual(["depends_on", "uses_indicator"]);
      expect(ema.pathWeight).toBeCloseTo(0.25 * 4);
    });

    it("terminates on cycles and respects min and max depth", async () => {
      const { s1 } = await strategyGraph();
      expect(keys(await graph.traverse({ start: s1, direction: "outbound", minDepth: 0, maxDepth: 1, edgeTypes: ["depends_on"], limit: 100 }))).toEqual([
        "s1",
        "s2",
      ]);
      expect(keys(await graph.traverse({ start: s1, direction: "outbound", minDepth: 2, maxDepth: 6, edgeTypes: [], limit: 100 }))).toEqual(["ema"]);
    });

    it("follows inbound and any direction, and filters by edge type", async () => {
      const { eurusd, rsi } = await strategyGraph();
      expect(keys(await graph.traverse({ start: eurusd, direction: "inbound", minDepth: 1, maxDepth: 1, edgeTypes: [], limit: 100 })).sort()).toEqual(["rsi", "s1"]);
      expect(keys(await graph.traverse({ start: eurusd, direction: "inbound", minDepth: 1, maxDepth: 1, edgeTypes: ["trades"], limit: 100 }))).toEqual(["s1"]);
      expect(keys(await graph.traverse({ start: rsi, direction: "any", minDepth: 1, maxDepth: 1, edgeTypes: [], limit: 100 })).sort()).toEqual(["eurusd", "s1"]);
    });

    it("limits results", async () => {
      const { s1 } = await strategyGraph();
      expect(await graph.traverse({ start: s1, direction: "outbound", minDepth: 1, maxDepth: 3, edgeTypes: [], limit: 2 })).toHaveLength(2);
    });

    it("lists a strategy's dependencies transitively", async () => {
      await strategyGraph();
      const deps = await graph.strategyDependencies(`${ns}s1`);
      expect(keys(deps).sort()).toEqual(["ema", "eurusd", "rsi", "s2"]);
    });

    it("deletes a vertex with its edges", async () => {
      const { s1, s2, rsi } = await strategyGraph();
      expect(await graph.deleteVertex(rsi)).toBe(2);
      expect(keys(await graph.traverse({ start: s1, direction: "outbound", minDepth: 1, maxDepth: 1, edgeTypes: ["uses_indicator"], limit: 10 }))).toEqual([]);
      await expect(graph.deleteVertex(rsi)).rejects.toBeInstanceOf(NotFoundError);
      expect(await graph.deleteEdge(s1, s2, "depends_on")).toBe(true);
      expect(await graph.deleteEdge(s1, s2, "depends_on")).toBe(false);
    });

    it("rejects dangling edges whole, naming the edge", async () => {
      const { s1 } = await strategyGraph();
      const ghost = v("indicator", "ghost");
      const err = await graph.upsertEdges([e(s1, s1, "depends_on"), e(s1, ghost, "uses_indicator")]).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).violations[0]).toMatchObject({ field: "edges[1].to", index: 1 });
      expect(keys(await graph.traverse({ start: s1, direction: "outbound", minDepth: 1, maxDepth: 1, edgeTypes: ["depends_on"], limit: 10 }))).toEqual(["s2"]);
    });

    it("rejects a depth beyond the configured maximum", async () => {
      const { s1 } = await strategyGraph();
      await expect(graph.traverse({ start: s1, direction: "outbound", minDepth: 0, maxDepth: 7, edgeTypes: [], limit: 10 })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    });

    it("walks to the configured maximum when max_depth is unset (0), and refuses min_depth beyond it", async () => {
      const { s1 } = await strategyGraph();
      const all = { start: s1, direction: "outbound" as const, minDepth: 1, edgeTypes: [], limit: 100 };
      expect(keys(await graph.traverse({ ...all, maxDepth: 0 }))).toEqual(keys(await graph.traverse({ ...all, maxDepth: 6 })));
      await expect(graph.traverse({ ...all, minDepth: 7, maxDepth: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it("resolves permissions through roles and role inheritance", async () => {
      ns = `${randomUUID().slice(0, 8)}_`;
      const alice = v("user", "alice");
      const trader = v("role", "trader");
      const reader = v("role", "reader");
      const pRead = v("permission", "ticks:read");
      const pWrite = v("permission", "ticks:write");
      await graph.upsertVertices([alice, trader, reader, pRead, pWrite].map((r) => ({ ...r, properties: {} })));
      await graph.upsertEdges([e(alice, trader, "has_role"), e(trader, reader, "inherits"), e(trader, pWrite, "grants"), e(reader, pRead, "grants")]);
      const resolved = await graph.resolvePermissions(alice);
      expect(resolved.permissions).toEqual([`${ns}ticks:read`, `${ns}ticks:write`]);
      expect(resolved.roles).toEqual([`${ns}reader`, `${ns}trader`]);
      expect((await graph.resolvePermissions(reader)).permissions).toEqual([`${ns}ticks:read`]);
    });

    it("keeps hostile keys and properties as data", async () => {
      ns = `${randomUUID().slice(0, 8)}_`;
      const hostile = v("strategy", "x');DROP_TABLE--$1*");
      await graph.upsertVertices([{ ...hostile, properties: { sql: "'; DELETE FROM graph_edges; --", aql: "FOR x IN y REMOVE x IN y" } }]);
      expect((await graph.getVertex(hostile)).properties).toEqual({ sql: "'; DELETE FROM graph_edges; --", aql: "FOR x IN y REMOVE x IN y" });
    });
  });
}
