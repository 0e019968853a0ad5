-- The series catalog: each (symbol, broker) with the time of its first tick, kept by a
-- materialized view on every INSERT into ticks (a row per series per INSERT; readers take min).
-- GetTicksAsOf reads it to know which series have a tick by a given time, so it can look for
-- their last ticks in narrow windows first instead of grouping all of history.
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

-- The series stored before the view existed.
INSERT INTO tick_series SELECT symbol, broker, min(ts) AS first_ts FROM ticks GROUP BY symbol, broker;
