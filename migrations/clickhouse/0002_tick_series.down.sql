DROP TABLE IF EXISTS tick_series_mv;
DROP TABLE IF EXISTS tick_series;
