import { performance } from "node:perf_hooks";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";
import { type Backend, BackendStatus } from "../../gen/neliti/dataplane/v1/ops_pb.js";
import { connect, HealthReportService } from "../../src/client.js";
import type { BackendId } from "./backends.js";
import { killBackend, startBackend } from "./stack-control.js";

export type DrillResult = {
  backend: BackendId;
  /** From the kill until the health report shows the backend down. */
  detectMs: number;
  /** From the backend answering again (the restart script waits for that) until a call through the service succeeds. */
  recoverMs: number;
  /** Calls to the backend's service that failed during the drill (all with UNAVAILABLE). */
  failed: number;
  /** Calls that failed with another code than UNAVAILABLE: a precise outage answer is part of the drill. */
  failedOtherwise: string[];
  /** Calls to the other services (on other stores) that failed: must be none. */
  othersFailed: number;
  /** Writes acknowledged during the drill that a successful read afterwards did not find: must be none. */
  lost: number;
  /** Reads of acknowledged writes that failed after recovery and were tried again (until READ_BACK_MS). */
  readsFailed: number;
  /** Acknowledged writes whose reads still failed READ_BACK_MS after the load stopped, with the last error: must be none. */
  unreadable: string[];
};

export type DrillTarget = {
  backend: BackendId;
  /** The backend as the health report names it. */
  reportAs: Backend;
  /** One acknowledged write; returns what to read back later. */
  write(i: number): Promise<string>;
  /**
   * Whether an acknowledged write is there. A failed read rejects (never answers false): it is
   * tried again, and a write that cannot be read is reported apart from one that is gone.
   */
  present(id: string): Promise<boolean>;
  /** A call to a service on another store, which must keep answering. */
  other(): Promise<unknown>;
  /**
   * The code the service documents for a write whose outcome it cannot know (in flight when the
   * backend died), besides UNAVAILABLE; such writes count as failed and are not looked for.
   */
  outcomeUnknown?: Code;
};

const TICK_MS = 50;
/** How long after the load stops reads of acknowledged writes may keep failing. */
const READ_BACK_MS = 15_000;

/**
 * kill -9 a backend under load and restart it, with the service running throughout: measures the
 * time to detect (health report) and to recover (first successful call), counts failed calls,
 * and checks every write acknowledged before, during and after the outage is still there.
 */
export async function faultDrill(baseUrl: string, target: DrillTarget): Promise<DrillResult> {
  const report = connect(HealthReportService, { baseUrl });
  const acked: string[] = [];
  const failedOtherwise: string[] = [];
  let failed = 0;
  let othersFailed = 0;
  let n = 0;
  let running = true;
  let lastOk = 0;
  // Independent callers: a request starts every tick whether or not earlier ones have answered,
  // so a call held by the outage does not hide how the calls after it are answered.
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const load = (async () => {
    while (running) {
      const i = n++;
      track(
        target.write(i).then(
          (id) => {
            acked.push(id);
            lastOk = performance.now();
          },
          (err: unknown) => {
            failed++;
            const code = ConnectError.from(err).code;
            if (code !== Code.Unavailable && code !== target.outcomeUnknown) failedOtherwise.push(`${Code[code]}: ${ConnectError.from(err).rawMessage}`);
          },
        ),
      );
      track(target.other().then(() => undefined, () => void othersFailed++));
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await Promise.all(pending);
  })();
  try {
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = performance.now();
    killBackend(target.backend);
    let detectMs = Number.NaN;
    while (performance.now() - killedAt < 30_000) {
      const { backends } = await report.getHealthReport({});
      if (backends.find((b) => b.backend === target.reportAs)?.status === BackendStatus.DOWN) {
        detectMs = performance.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // Down long enough for the breaker to open on any backend (5 failures, probes every 500 ms).
    await new Promise((r) => setTimeout(r, 4000));
    startBackend(target.backend);
    const backAt = performance.now();
    while (lastOk < backAt && performance.now() - backAt < 60_000) await new Promise((r) => setTimeout(r, 20));
    const recoverMs = lastOk >= backAt ? lastOk - backAt : Number.NaN;
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await load;
    const readBy = performance.now() + READ_BACK_MS;
    let lost = 0;
    let readsFailed = 0;
    const unreadable: string[] = [];
    for (const id of acked) {
      for (;;) {
        try {
          if (!(await target.present(id))) lost++;
          break;
        } catch (err) {
          readsFailed++;
          if (performance.now() > readBy) {
            unreadable.push(`${id}: ${ConnectError.from(err).message}`);
            break;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
    return { backend: target.backend, detectMs, recoverMs, failed, failedOtherwise, othersFailed, lost, readsFailed, unreadable };
  } finally {
    running = false;
    await load;
  }
}

/**
 * Prints the drill's row and checks what every drill must show: only UNAVAILABLE answers (or the
 * target's documented outcome-unknown code), detection
 * within 10 s, recovery within `recoverWithinMs`, the other services unaffected, nothing lost; and
 * either fast failures while the backend is down or (where a spool absorbs the outage) none.
 */
export function expectDrill(r: DrillResult, o: { recoverWithinMs: number; writesFailWhileDown: boolean }): void {
  printDrill(r);
  expect(r.failedOtherwise).toEqual([]);
  expect(r.detectMs).toBeLessThan(10_000);
  expect(r.recoverMs).toBeLessThan(o.recoverWithinMs);
  if (o.writesFailWhileDown) expect(r.failed).toBeGreaterThan(0);
  else expect(r.failed).toBe(0);
  expect(r.othersFailed).toBe(0);
  expect(r.unreadable).toEqual([]);
  expect(r.lost).toBe(0);
}

/** The drill's row, printed as the fault table the operators read. */
function printDrill(r: DrillResult): void {
  const ms = (x: number) => (Number.isNaN(x) ? "never" : `${Math.round(x)} ms`);
  console.log(
    [
      "| backend | time to detect | time to recover | requests failed | other services failed | reads failed after recovery | data lost |",
      "|---|---|---|---|---|---|---|",
      `| ${r.backend} | ${ms(r.detectMs)} | ${ms(r.recoverMs)} | ${r.failed} | ${r.othersFailed} | ${r.readsFailed} | ${r.lost} |`,
    ].join("\n"),
  );
}
