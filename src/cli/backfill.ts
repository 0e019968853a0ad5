import { parseArgs } from "node:util";
import { openBackends } from "../backends/backends.js";
import { ConfigError, loadConfig, seriesList } from "../config.js";
import { Backfill } from "../domain/backfill.js";
import type { BarSeries } from "../domain/bars-from-ticks.js";
import { CandleCachingTickStore } from "../domain/candle-cache.js";
import { createLogger } from "../observability/logger.js";

const USAGE = `usage: npm run backfill -- --series SYMBOL:TF[,SYMBOL:TF...] --from TIME [--to TIME] [--broker NAME] [--restart]
  TIME is ISO 8601 (2026-11-01, 2026-11-01T12:00Z) or epoch milliseconds; --to defaults to now.
  Uses the service's environment (CLICKHOUSE_URL, WEAVIATE_URL, REDIS_URL, ...). A rerun from the
  same start resumes where the last stopped; --restart starts it again.`;

/**
 * The backfill as a command: builds cached bars and pattern vectors from stored history for the
 * named series, printing progress after each chunk, against the backends the environment names
 * (no running service needed). BackfillService.BackfillPatterns does the same for an operator.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { series: { type: "string" }, from: { type: "string" }, to: { type: "string" }, broker: { type: "string" }, restart: { type: "boolean" } } });
  const time = (text: string | undefined) => (text === undefined ? undefined : /^\d+$/.test(text) ? Number(text) : Date.parse(text));
  const fromMsc = time(values.from);
  const toMsc = time(values.to) ?? Date.now();
  const series: BarSeries[] = (seriesList(values.series ?? "") ?? []).map((s) => ({ ...s, broker: values.broker, price: "bid" }));
  if (series.length === 0 || fromMsc === undefined || Number.isNaN(fromMsc) || Number.isNaN(toMsc) || toMsc <= fromMsc) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`backfill: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);
  const backends = await openBackends(config, log);
  const abort = new AbortController();
  process.once("SIGINT", () => abort.abort());
  const store = config.cache.candleTtlMs > 0 ? new CandleCachingTickStore(backends.ticks, backends.cache, { ttlMs: config.cache.candleTtlMs }, { chunks: () => undefined, read: () => undefined, invalidated: () => undefined }) : backends.ticks;
  try {
    const backfill = new Backfill(store, backends.vectors, backends.cache);
    for (const s of series) {
      for await (const p of backfill.run({ series: s, fromMsc, toMsc, restart: values.restart ?? false }, abort.signal)) {
        const pct = p.chunks === 0 ? 100 : Math.round((100 * p.chunksDone) / p.chunks);
        process.stdout.write(`${s.symbol} ${new Date(p.doneUpToMsc).toISOString()} chunk ${p.chunksDone}/${p.chunks} (${pct}%) bars ${p.barsRead} patterns ${p.patternsWritten}\n`);
      }
    }
    return 0;
  } catch (err) {
    process.stderr.write(`backfill: ${abort.signal.aborted ? "interrupted; run it again to resume" : err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    if (store instanceof CandleCachingTickStore) store.close();
    await backends.close();
  }
}

process.exitCode = await main();
