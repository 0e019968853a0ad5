import type { ServiceImpl } from "@connectrpc/connect";
import type { BackfillService } from "../../gen/neliti/dataplane/v1/ops_pb.js";
import type { Backfill } from "../domain/backfill.js";
import { seriesOf } from "./bar-series.js";

/** Progress of a backfill, a message per chunk. */
export function backfillService(backfill: Backfill): ServiceImpl<typeof BackfillService> {
  return {
    async *backfillPatterns(req, ctx) {
      const run = backfill.run(
        { series: seriesOf(req), fromMsc: Number(req.startTimeMsc), toMsc: req.endTimeMsc === 0n ? Date.now() : Number(req.endTimeMsc), restart: req.restart },
        ctx.signal,
      );
      for await (const p of run) {
        yield {
          chunksDone: p.chunksDone,
          chunks: p.chunks,
          resumedAtTimeMsc: BigInt(p.resumedAtMsc),
          doneUpToTimeMsc: BigInt(p.doneUpToMsc),
          barsRead: BigInt(p.barsRead),
          patternsWritten: BigInt(p.patternsWritten),
        };
      }
    },
  };
}
