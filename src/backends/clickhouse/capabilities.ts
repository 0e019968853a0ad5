import type { ClickHouseClient } from "@clickhouse/client";

/**
 * What the connected ClickHouse supports. The Debian server on the build machines is 18.16 (no
 * DateTime64, codecs, LowCardinality by default, query parameters or TTL); current servers have
 * all of these. Everything version-dependent in this adapter reads these flags.
 */
export type Capabilities = {
  version: string;
  /** DateTime64(3), Delta/Gorilla/ZSTD codecs, LowCardinality, {name:Type} query parameters, TTL. */
  modern: boolean;
};

/** 21.x is the first line with every feature above enabled by default. */
const MODERN_MAJOR = 21;

export async function detectCapabilities(client: ClickHouseClient): Promise<Capabilities> {
  const rs = await client.query({ query: "SELECT version() AS v", format: "JSONEachRow" });
  const [row] = await rs.json<{ v: string }>();
  const version = row?.v ?? "0";
  return { version, modern: Number(version.split(".")[0]) >= MODERN_MAJOR };
}
