import { PriceSource, Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { BarSeries } from "../domain/bars-from-ticks.js";
import type { PriceField } from "../ports/tick-store.js";
import { TIMEFRAME_NAMES } from "../config.js";

type TimeframeName = Exclude<keyof typeof Timeframe, "UNSPECIFIED">;
// Typed so that a Timeframe the proto adds without a width in TIMEFRAME_NAMES does not compile.
const WIDTH_BY_NAME: Readonly<Record<TimeframeName, number>> = TIMEFRAME_NAMES;

/** Bar widths by the proto's Timeframe: the widths of TIMEFRAME_NAMES under the enum's names. */
export const TIMEFRAME_MS = Object.fromEntries(Object.entries(WIDTH_BY_NAME).map(([name, ms]) => [Timeframe[name as TimeframeName], ms])) as Record<
  Exclude<Timeframe, Timeframe.UNSPECIFIED>,
  number
>;

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
