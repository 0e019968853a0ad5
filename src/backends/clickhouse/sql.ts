import type { Capabilities } from "./capabilities.js";

/**
 * Builds ClickHouse statements whose values never become SQL text on servers that can bind them:
 * on current servers each value is a `{pN:Type}` query parameter. ClickHouse 18.16 has no query
 * parameters, so there each value becomes a literal that cannot be anything but data: strings
 * are written byte by byte as \xHH escapes (no quote or backslash of the input survives), and
 * integers are checked to be integers of their type.
 */
export type ChValue =
  | { type: "String"; value: string }
  | { type: "Int64" | "UInt32"; value: number }
  /** A tick time in epoch milliseconds, compared with the `ts` column whatever its type. */
  | { type: "TimeMs"; value: number };

export const str = (value: string): ChValue => ({ type: "String", value });
export const i64 = (value: number): ChValue => ({ type: "Int64", value });
export const u32 = (value: number): ChValue => ({ type: "UInt32", value });
export const timeMs = (value: number): ChValue => ({ type: "TimeMs", value });

/** SQL text chosen by the adapter itself (column lists, expressions), never from input. */
export class Raw {
  constructor(readonly sql: string) {}
}
export const raw = (sql: string) => new Raw(sql);

export type BoundQuery = { query: string; params: Record<string, unknown> };
type Part = ChValue | readonly ChValue[] | Raw;

export class ChQuery {
  private text = "";
  private readonly params: Record<string, unknown> = {};
  private n = 0;

  constructor(private readonly caps: Capabilities) {}

  /** Appends a fragment: `q.sql\`symbol = ${str(s)}\``. */
  sql(strings: TemplateStringsArray, ...values: Part[]): this {
    this.text += strings[0];
    values.forEach((v, i) => {
      if (v instanceof Raw) this.text += v.sql;
      else if (Array.isArray(v)) this.text += v.length === 0 ? "NULL" : v.map((x) => this.value(x)).join(", ");
      else this.text += this.value(v as ChValue);
      this.text += strings[i + 1];
    });
    return this;
  }

  build(): BoundQuery {
    return { query: this.text, params: this.params };
  }

  private value(v: ChValue): string {
    if (!this.caps.modern) return literal(v);
    const name = `p${this.n++}`;
    this.params[name] = v.value;
    return v.type === "TimeMs" ? `fromUnixTimestamp64Milli({${name}:Int64})` : `{${name}:${v.type}}`;
  }
}

export function literal(v: ChValue): string {
  if (v.type === "String") {
    let out = "'";
    for (const byte of Buffer.from(v.value, "utf8")) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    return `${out}'`;
  }
  if (!Number.isSafeInteger(v.value)) throw new RangeError(`not an integer: ${v.value}`);
  if (v.type === "UInt32" && (v.value < 0 || v.value > 0xffffffff)) throw new RangeError(`not a UInt32: ${v.value}`);
  return String(v.value);
}
