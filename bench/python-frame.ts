import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, machine, requireEnv } from "./lib.js";
import { fill } from "./range.js";

const exec = promisify(execFile);
const ROOT = new URL("../", import.meta.url).pathname;

/**
 * A 2M-tick range read into a pandas DataFrame by the Python client package (clients/python,
 * QueryTicks columnar) against a direct read of the same ticks from ClickHouse into numpy, in the
 * same run, rounds alternated (bench/python_frame.py): ClickHouse's Native and RowBinary reads into
 * numpy by frombuffer, and clickhouse-connect's query_np where it can talk to the server. JSON:
 * python_frame_ratio, the client's rows/s over the direct read's (clickhouse-connect's where it
 * ran, else the faster hand-rolled read's); target >= 0.7.
 */
export async function run() {
  const url = requireEnv("CLICKHOUSE_URL");
  const python = requireEnv("NELITI_PYTHON");
  const rows = arg("rows", 2_000_000);
  const rounds = arg("rounds", 5);
  const db = await createTempClickHouseDatabase(url);
  const t0 = Date.now() - 3 * 86_400_000;
  console.log(`python-frame bench: ${rows} ticks of one symbol into a DataFrame, ${rounds} rounds; ${machine()}`);
  const svc = await startServerProcess({ CLICKHOUSE_URL: db.url, AUTH_JWT_SECRET: "f".repeat(32), AUTH_ENABLED: "false" });
  try {
    await fill(db.url, "EURUSD", rows, (i) => t0 + i);
    const { stdout } = await exec(python, [`${ROOT}bench/python_frame.py`, `127.0.0.1:${svc.port}`, db.url, "EURUSD", String(t0), String(t0 + rows), String(rounds)], {
      env: { ...process.env, PYTHONPATH: `${ROOT}clients/python/src` },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 900_000,
    });
    type Result = { rows: number; service_rows_per_s: number; native_rows_per_s: number; ratio_to_native: number; rowbinary_rows_per_s: number; ratio_to_rowbinary: number; clickhouse_connect_rows_per_s?: number; ratio_to_clickhouse_connect?: number; clickhouse_connect_error?: string; seconds: Record<string, number[]> };
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as Result;
    console.log(`Python client -> DataFrame        ${result.service_rows_per_s} rows/s (rounds ${result.seconds.service!.join(", ")} s)`);
    console.log(`ClickHouse Native -> numpy        ${result.native_rows_per_s} rows/s (rounds ${result.seconds.native!.join(", ")} s); ratio ${result.ratio_to_native}`);
    console.log(`ClickHouse RowBinary -> numpy     ${result.rowbinary_rows_per_s} rows/s (rounds ${result.seconds.rowbinary!.join(", ")} s); ratio ${result.ratio_to_rowbinary}`);
    if (result.clickhouse_connect_rows_per_s) console.log(`clickhouse-connect -> numpy       ${result.clickhouse_connect_rows_per_s} rows/s; ratio ${result.ratio_to_clickhouse_connect}`);
    else console.log(`clickhouse-connect: not run (${result.clickhouse_connect_error})`);
    // The strictest direct read that ran: clickhouse-connect (the baseline) where it can
    // talk to the server, else the faster of the two hand-rolled numpy reads.
    const ratio = result.ratio_to_clickhouse_connect ?? Math.min(result.ratio_to_native, result.ratio_to_rowbinary);
    console.log(`python_frame_ratio ${ratio} (target >= 0.7)`);
    return { bench: "python-frame", machine: machine(), date: new Date().toISOString(), rounds, client: "neliti_dataplane (grpcio)", ...result, python_frame_ratio: ratio };
  } finally {
    await svc.stop();
    await db.drop();
  }
}
