import { PriceSource, Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { BarSeries } from "../domain/bars-from-ticks.js";
import type { PriceField } from "../ports/tick-store.js";

export const TIMEFRAME_MS: Record<Exclude<Timeframe, Timeframe.UNSPECIFIED>, number> = {
  [Timeframe.M1]: 60_000,
  [Timeframe.M5]: 300_000,
  [Timeframe.M15]: 900_000,
  [Timeframe.H1]: 3_600_000,
  [Timeframe.H4]: 14_400_000,
  [Timeframe.D1]: 86_400_000,
};

export const PRICE: Record<PriceSource, PriceField> = {
  [PriceSource.UNSPECIFIED]: "bid",
  [PriceSource.BID]: "bid",
  [PriceSource.ASK]: "ask",
  [PriceSource.MID]: "mid",
  [PriceSource.LAST]: "last",
};

export const brokerOrAll = (broker: string) => (broker === "" ? undefined : broker);

/** The bar series a request names (symbol, broker or every broker, timeframe, price), validated already. */
export const seriesOf = (req: { symbol: string; broker: string; timeframe: Timeframe; priceSource: PriceSource }): BarSeries => ({
  symbol: req.symbol,
  broker: brokerOrAll(req.broker),
  timeframeMs: TIMEFRAME_MS[req.timeframe as keyof typeof TIMEFRAME_MS],
  price: PRICE[req.priceSource],
});
