import { describe, expect, it } from "vitest";
import { NotFoundError, UnavailableError } from "../../src/errors.js";
import { Breaker } from "../../src/resilience/breaker.js";

const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

/** Whether a call through the breaker ran, and the error it was answered with. */
async function attempt(b: Breaker): Promise<{ ran: boolean; err: unknown }> {
  let ran = false;
  const err = await b
    .run(async () => {
      ran = true;
    })
    .catch((e: unknown) => e);
  return { ran, err };
}

describe("Breaker", () => {
  it("retries an idempotent call once after a quick failure, and never a non-idempotent one", async () => {
    const b = new Breaker("test", { failures: 10, halfOpenAfterMs: 1000 });
    let calls = 0;
    const flaky = async () => {
      if (++calls === 1) throw refused();
      return "ok";
    };
    expect(await b.run(flaky, { idempotent: true })).toBe("ok");
    expect(calls).toBe(2);

    calls = 0;
    const err = await b.run(flaky).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(calls).toBe(1);
  });

  it("opens after consecutive failures and then fails at once with the time to the next trial", async () => {
    const b = new Breaker("test", { failures: 2, halfOpenAfterMs: 5000 });
    for (let i = 0; i < 2; i++) await b.run(async () => Promise.reject(refused())).catch(() => undefined);
    expect(b.state).toBe("open");
    const { ran, err } = await attempt(b);
    expect(ran).toBe(false);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).retryAfterMs).toBe(5000);
  });

  it("probes past a bulkhead full of hung calls, opens on failed probes, and then refuses queued-for calls at once", async () => {
    const b = new Breaker("test", { failures: 3, halfOpenAfterMs: 5000, timeoutMs: 10_000, concurrency: { limit: 2, queue: 10 } });
    // A backend whose client retries inside each call: calls hang instead of failing.
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const running = [b.run(() => hung), b.run(() => hung)];
    for (let i = 0; i < 3; i++) await b.probe(async () => Promise.reject(refused())).catch(() => undefined);
    expect(b.state).toBe("open");
    // Queued behind the hung calls, this would wait for as long as they hang (here: forever).
    const { ran, err } = await attempt(b);
    expect(ran).toBe(false);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).message).toMatch(/circuit open/);
    release();
    await Promise.all(running);
  });

  it("lets calls reach an open circuit again once its half-open time has passed, so one can close it", async () => {
    const b = new Breaker("test", { failures: 1, halfOpenAfterMs: 50, concurrency: { limit: 2, queue: 10 } });
    await b.run(async () => Promise.reject(refused())).catch(() => undefined);
    expect(b.state).toBe("open");
    await new Promise((r) => setTimeout(r, 80));
    expect(await b.run(async () => "back")).toBe("back");
    expect(b.state).toBe("closed");
  });

  it("passes answers through unchanged without counting them as failures", async () => {
    const b = new Breaker("test", { failures: 1, halfOpenAfterMs: 1000 });
    const answer = new NotFoundError("no such key");
    await expect(b.run(async () => Promise.reject(answer))).rejects.toBe(answer);
    const sqlAnswer = Object.assign(new Error("duplicate key"), { code: "23505" });
    const pg = new Breaker("pg", { failures: 1, halfOpenAfterMs: 1000, isFailure: (e) => (e as { code?: string }).code !== "23505" });
    await expect(pg.run(async () => Promise.reject(sqlAnswer))).rejects.toBe(sqlAnswer);
    expect(b.state).toBe("closed");
    expect(pg.state).toBe("closed");
  });

  it("refuses calls beyond its bulkhead with UNAVAILABLE at once", async () => {
    const b = new Breaker("test", { failures: 10, halfOpenAfterMs: 1000, concurrency: { limit: 2, queue: 1 } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = [0, 1, 2].map(() => b.run(() => gate));
    const err = await b.run(async () => "never").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).message).toMatch(/saturated/);
    release();
    await Promise.all(held);
    expect(await b.run(async () => "after")).toBe("after");
  });

  it("times a call out when it has a timeout, answering UNAVAILABLE", async () => {
    const b = new Breaker("test", { failures: 10, halfOpenAfterMs: 1000, timeoutMs: 50 });
    const started = performance.now();
    const err = await b.run(() => new Promise((r) => setTimeout(r, 2000))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
