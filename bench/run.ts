import { execSync } from "node:child_process";
/**
 * npm run bench -- <name> [options]. Each bench prints its figures, including a ratio to a direct
 * baseline measured in the same run, and ends with one line of JSON.
 */
const benches: Record<string, () => Promise<unknown>> = {
  ingest: () => import("./ingest.js").then((m) => m.run()),
  recent: () => import("./recent.js").then((m) => m.run()),
  cache: () => import("./cache.js").then((m) => m.run()),
  "kafka-clients": () => import("./kafka-clients.js").then((m) => m.run()),
  stream: () => import("./stream.js").then((m) => m.run()),
  auth: () => import("./auth.js").then((m) => m.run()),
  graph: () => import("./graph.js").then((m) => m.run()),
  vector: () => import("./vector.js").then((m) => m.run()),
  "vector-filters": () => import("./vector-filters.js").then((m) => m.run()),
  floor: () => import("./floor.js").then((m) => m.run()),
  soak: () => import("./soak.js").then((m) => m.run()),
  startup: () => import("./startup.js").then((m) => m.run()),
  range: () => import("./range.js").then((m) => m.run()),
  "python-frame": () => import("./python-frame.js").then((m) => m.run()),
  asof: () => import("./asof.js").then((m) => m.run()),
  live: () => import("./live.js").then((m) => m.run()),
  indicators: () => import("./indicators.js").then((m) => m.run()),
  patterns: () => import("./patterns.js").then((m) => m.run()),
};

const name = process.argv[2];
const bench = name ? benches[name] : undefined;
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join("|")}> [--option value ...]\n`);
  process.exit(2);
}
// The service is measured as production runs it: compiled to dist/ (the Docker image runs
// `node dist/src/main.js`), not through tsx, whose keepNames wraps every named closure a call
// creates in a property definition (2-5% of an empty call's CPU in a profile).
// SERVER_COMPILED=0 measures it through tsx instead.
process.env.SERVER_COMPILED ??= "1";
if (process.env.SERVER_COMPILED === "1") execSync("npm run --silent build", { stdio: "inherit" });
const result = await bench();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
