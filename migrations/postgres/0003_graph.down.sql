DROP TABLE graph_edges;
DROP TABLE graph_vertices;
