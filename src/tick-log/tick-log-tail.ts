import type { TickDomain } from "../domain/ticks.js";
import type { StreamDomain } from "../domain/stream.js";
import type { TickFanOut } from "../domain/tick-fan-out.js";
import { type Logger, throttledWarning } from "../observability/logger.js";
import type { Subscription } from "../ports/stream-log.js";
import { Follower } from "../resilience/keep-following.js";
import { type LoggedIds, readLogRecord, recordIdOf } from "./tick-log.js";

/**
 * Every replica follows the tick log from its end, outside any group, and fans each batch out in
 * its own process: recent-ticks memory, live subscribers and listeners see what every replica
 * acknowledged, not only their own. A batch id known before (a retry appended twice, or one this
 * replica appended and fanned out itself) is delivered once. Invalid records (a bridge's) are
 * skipped, as the writer skips them.
 */
export class TickLogTail {
  private readonly warn: (err: unknown) => void;
  private readonly follower: Follower;

  constructor(
    private readonly stream: StreamDomain,
    private readonly topic: string,
    private readonly ticks: TickDomain,
    private readonly fanOut: TickFanOut,
    private readonly ids: LoggedIds,
    log: Logger,
    /** Hears the ticks of each batch the tail delivered (others' batches: this replica's own were delivered at their ack). */
    private readonly onDelivered: (ticks: number) => void = () => undefined,
  ) {
    this.warn = throttledWarning(log, "skipping a tick-log record that is not a valid batch");
    this.follower = new Follower("tick-log tail", log);
  }

  /** Resolves once the tail reads from the log's end, so nothing acknowledged after is missed. */
  async start(): Promise<void> {
    let first: Subscription | undefined = await this.subscribe();
    this.follower.start(async () => {
      const sub = first ?? (await this.subscribe());
      first = undefined;
      for await (const batch of sub.batches) {
        for (const record of batch) {
          // A replica's record names itself in a header: one this replica appended (or saw) is
          // passed over before it is decoded and validated again for nothing.
          const named = recordIdOf(record);
          if (named !== undefined && this.ids.known(named)) continue;
          const read = readLogRecord(this.ticks, record, named);
          if (!read.ok) {
            this.warn(read.reason);
            continue;
          }
          if (this.ids.known(read.id)) continue;
          this.ids.add(read.id);
          this.fanOut.deliver(read.block, read.id, "rpc");
          this.onDelivered(read.block.length);
        }
      }
    });
  }

  private subscribe(): Promise<Subscription> {
    return this.stream.streamLog.subscribe({ topic: this.topic, start: { kind: "latest" }, groupId: undefined, autoCommit: false, maxBatch: 500 }, this.follower.signal);
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }
}
