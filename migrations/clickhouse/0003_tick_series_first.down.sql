-- Back to 0002's catalog (a row per series per INSERT), filled from ticks as 0002 did.
-- @legacy
CREATE TABLE IF NOT EXISTS tick_series (
  symbol    String,
  broker    String,
  first_ts  Int64
) ENGINE = MergeTree
ORDER BY (symbol, broker);
-- @modern
CREATE TABLE IF NOT EXISTS tick_series (
  symbol    LowCardinality(String),
  broker    LowCardinality(String),
  first_ts  DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (symbol, broker);
-- @end

CREATE MATERIALIZED VIEW IF NOT EXISTS tick_series_mv TO tick_series AS
SELECT symbol, broker, min(ts) AS first_ts FROM ticks GROUP BY symbol, broker;

INSERT INTO tick_series SELECT symbol, broker, min(ts) AS first_ts FROM ticks GROUP BY symbol, broker;

DROP TABLE IF EXISTS tick_series_first_mv;
DROP TABLE IF EXISTS tick_series_first;
