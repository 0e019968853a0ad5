import type { PriceField, TickRow } from "../ports/tick-store.js";

/** The price a candle is built from; ClickHouse computes the same expression in SQL. */
export function priceOf(t: Pick<TickRow, "bid" | "ask" | "last">, field: PriceField): number {
  switch (field) {
    case "bid":
      return t.bid;
    case "ask":
      return t.ask;
    case "mid":
      return (t.bid + t.ask) / 2;
    case "last":
      return t.last;
  }
}
