-- Ticks: MergeTree, monthly partitions, ORDER BY (symbol, broker, ts). Each row carries the id of
-- the batch it arrived in, so a batch is stored by one INSERT, whole or not at all.
-- @legacy  (ClickHouse before 21: no DateTime64, no codecs; ts is Int64 milliseconds)
CREATE TABLE IF NOT EXISTS ticks (
  symbol        String,
  broker        String,
  account_type  UInt8,
  ts            Int64,
  bid           Float64,
  ask           Float64,
  last          Float64,
  volume        Float64,
  flags         UInt32,
  batch_id      String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(toDate(toDateTime(intDiv(ts, 1000))))
ORDER BY (symbol, broker, ts);
-- @modern  (DateTime64, LowCardinality, codecs chosen per column)
CREATE TABLE IF NOT EXISTS ticks (
  symbol        LowCardinality(String),
  broker        LowCardinality(String),
  account_type  UInt8,
  ts            DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
  bid           Float64 CODEC(Gorilla, ZSTD(1)),
  ask           Float64 CODEC(Gorilla, ZSTD(1)),
  last          Float64 CODEC(Gorilla, ZSTD(1)),
  volume        Float64 CODEC(Gorilla, ZSTD(1)),
  flags         UInt32 CODEC(ZSTD(1)),
  batch_id      String CODEC(ZSTD(1))
) ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (symbol, broker, ts);
-- @end

-- One row per stored batch, written by the same INSERT through the materialized view: the
-- persisted deduplication window (kept as long as the table is).
CREATE TABLE IF NOT EXISTS tick_batches (
  batch_id     String,
  rows         UInt64,
  inserted_at  DateTime
) ENGINE = ReplacingMergeTree
ORDER BY batch_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS tick_batches_mv TO tick_batches AS
SELECT batch_id, count() AS rows, now() AS inserted_at FROM ticks GROUP BY batch_id;
