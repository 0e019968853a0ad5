-- The series catalog as one row per (symbol, broker) once parts merge: tick_series took a row per
-- series per INSERT, so a series written by a few INSERTs a second held tens of millions of
-- catalog rows a year, all read by each lookup. AggregatingMergeTree folds them into the
-- series' min state as it merges; readers take minMerge.
-- The new view is in place before the old one goes, so no INSERT in between is left out (a row
-- taken by both is harmless: min of the same tick). The series stored before come from ticks, not
-- from tick_series: replicas starting together run this file at once, and one may already have
-- dropped tick_series when another reads it.
-- @legacy
CREATE TABLE IF NOT EXISTS tick_series_first (
  symbol    String,
  broker    String,
  first_ts  AggregateFunction(min, Int64)
) ENGINE = AggregatingMergeTree
ORDER BY (symbol, broker);
-- @modern
CREATE TABLE IF NOT EXISTS tick_series_first (
  symbol    LowCardinality(String),
  broker    LowCardinality(String),
  first_ts  AggregateFunction(min, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
ORDER BY (symbol, broker);
-- @end

CREATE MATERIALIZED VIEW IF NOT EXISTS tick_series_first_mv TO tick_series_first AS
SELECT symbol, broker, minState(ts) AS first_ts FROM ticks GROUP BY symbol, broker;

INSERT INTO tick_series_first SELECT symbol, broker, minState(ts) AS first_ts FROM ticks GROUP BY symbol, broker;

DROP TABLE IF EXISTS tick_series_mv;
DROP TABLE IF EXISTS tick_series;
