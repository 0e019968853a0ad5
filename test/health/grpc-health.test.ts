import { describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { HealthStatus } from "../../src/health/grpc-health.js";

const deferred = () => {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("HealthStatus while stores open in the background", () => {
  it("keeps the warming services and the whole server NOT_SERVING until every store is ready", async () => {
    const health = new HealthStatus(["Users", "Graph", "Ticks"]);
    const users = deferred();
    const graph = deferred();
    health.notServingUntil(users.promise, ["Users"]);
    health.notServingUntil(graph.promise, ["Graph"]);
    expect([health.get(""), health.get("Users"), health.get("Graph"), health.get("Ticks")]).toEqual([Status.NOT_SERVING, Status.NOT_SERVING, Status.NOT_SERVING, Status.SERVING]);
    users.resolve();
    await tick();
    expect([health.get(""), health.get("Users"), health.get("Graph")]).toEqual([Status.NOT_SERVING, Status.SERVING, Status.NOT_SERVING]);
    graph.resolve();
    await tick();
    expect([health.get(""), health.get("Graph")]).toEqual([Status.SERVING, Status.SERVING]);
  });

  it("stays NOT_SERVING when the store fails to open, and a drain wins over a late ready", async () => {
    const failing = new HealthStatus(["Users"]);
    const bad = deferred();
    failing.notServingUntil(bad.promise, ["Users"]);
    bad.reject(new Error("corrupt data dir"));
    await tick();
    expect([failing.get(""), failing.get("Users")]).toEqual([Status.NOT_SERVING, Status.NOT_SERVING]);

    const draining = new HealthStatus(["Users"]);
    const late = deferred();
    draining.notServingUntil(late.promise, ["Users"]);
    draining.drain();
    late.resolve();
    await tick();
    expect([draining.get(""), draining.get("Users")]).toEqual([Status.NOT_SERVING, Status.NOT_SERVING]);
  });
});
