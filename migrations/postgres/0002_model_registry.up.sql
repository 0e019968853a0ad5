-- ML model registry: one row per model version, metrics as JSONB.
CREATE TABLE model_registry (
  id                   bigserial PRIMARY KEY,
  name                 text NOT NULL,
  version              text NOT NULL,
  model_type           text NOT NULL,
  performance_metrics  jsonb NOT NULL DEFAULT '{}',
  created_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (name, version)
);
