-- Graph store (the PostgreSQL adapter of GraphService): vertices by (kind, key), typed weighted
-- edges, one per (from, to, type). Deleting a vertex removes its edges.
CREATE TABLE graph_vertices (
  kind        text NOT NULL,
  key         text NOT NULL,
  properties  jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (kind, key)
);

CREATE TABLE graph_edges (
  id          bigserial UNIQUE,
  from_kind   text NOT NULL,
  from_key    text NOT NULL,
  to_kind     text NOT NULL,
  to_key      text NOT NULL,
  type        text NOT NULL,
  weight      double precision NOT NULL,
  properties  jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (from_kind, from_key, type, to_kind, to_key),
  FOREIGN KEY (from_kind, from_key) REFERENCES graph_vertices (kind, key) ON DELETE CASCADE,
  FOREIGN KEY (to_kind, to_key) REFERENCES graph_vertices (kind, key) ON DELETE CASCADE
);
CREATE INDEX graph_edges_to_idx ON graph_edges (to_kind, to_key, type);
