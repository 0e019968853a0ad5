import { EventEmitter, on } from "node:events";
import type { ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";

/**
 * grpc.health.v1.Health: a serving status per service name ("" is the whole server). Check
 * answers NOT_FOUND for unknown names, as the protocol says; Watch streams changes.
 */
export class HealthStatus {
  private readonly statuses = new Map<string, Status>();
  private readonly changes = new EventEmitter();
  private draining = false;
  private warming = 0;

  constructor(serviceNames: readonly string[]) {
    this.changes.setMaxListeners(0);
    for (const name of ["", ...serviceNames]) this.statuses.set(name, Status.SERVING);
  }

  set(name: string, status: Status): void {
    this.statuses.set(name, status);
    this.changes.emit("change", name);
  }

  /** Marks everything NOT_SERVING (shutdown), so load balancers drain this replica. */
  drain(): void {
    this.draining = true;
    for (const name of this.statuses.keys()) this.set(name, Status.NOT_SERVING);
  }

  /**
   * `names`, and the whole server, are NOT_SERVING until `ready` resolves (a store still opening);
   * they stay so if it rejects or the server is draining by then.
   */
  notServingUntil(ready: Promise<unknown>, names: readonly string[]): void {
    this.warming++;
    for (const name of ["", ...names]) this.set(name, Status.NOT_SERVING);
    ready.then(
      () => {
        if (this.draining) return;
        for (const name of names) this.set(name, Status.SERVING);
        if (--this.warming === 0) this.set("", Status.SERVING);
      },
      () => undefined,
    );
  }

  get(name: string): Status | undefined {
    return this.statuses.get(name);
  }

  service(): ServiceImpl<typeof Health> {
    const status = (name: string) => this.get(name);
    const changes = this.changes;
    return {
      check(req) {
        const s = status(req.service);
        if (s === undefined) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
        return { status: s };
      },
      async *watch(req, ctx) {
        const current = () => status(req.service) ?? Status.SERVICE_UNKNOWN;
        let last = current();
        yield { status: last };
        for await (const [name] of on(changes, "change", { signal: ctx.signal })) {
          if (name !== req.service || current() === last) continue;
          last = current();
          yield { status: last };
        }
      },
    };
  }
}
