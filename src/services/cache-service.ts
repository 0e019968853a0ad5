import type { ServiceImpl } from "@connectrpc/connect";
import { type CacheService, SetCondition as SetConditionProto } from "../../gen/neliti/dataplane/v1/cache_pb.js";
import { Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { CacheDomain } from "../domain/cache.js";
import type { SetCondition } from "../ports/cache-store.js";

const CONDITION: Record<SetConditionProto, SetCondition> = {
  [SetConditionProto.UNSPECIFIED]: "always",
  [SetConditionProto.IF_ABSENT]: "if-absent",
  [SetConditionProto.IF_PRESENT]: "if-present",
};

/** "M1", "H4", ...: the timeframe part of indicator keys. */
const timeframeName = (t: Timeframe) => Timeframe[t];

/** Thin handlers: proto <-> CacheDomain. */
export function cacheService(cache: CacheDomain): ServiceImpl<typeof CacheService> {
  return {
    async get(req) {
      const value = await cache.get(req.key);
      return value ? { found: true, value } : { found: false };
    },
    async set(req) {
      return { written: await cache.set(req.key, req.value, Number(req.ttlMs), CONDITION[req.condition]) };
    },
    async mGet(req) {
      const values = await cache.mget(req.keys);
      return { results: req.keys.map((key, i) => ({ key, found: values[i] !== undefined, value: values[i] ?? new Uint8Array() })) };
    },
    async mSet(req) {
      await cache.mset(req.entries, Number(req.ttlMs));
      return { written: req.entries.length };
    },
    async delete(req) {
      return { deleted: await cache.del(req.keys) };
    },
    async getTtl(req) {
      const ttl = await cache.ttl(req.key);
      return ttl === undefined ? { found: false, ttlMs: 0n } : { found: true, ttlMs: BigInt(ttl) };
    },
    async expire(req) {
      return { applied: await cache.expire(req.key, Number(req.ttlMs)) };
    },
    async incr(req) {
      return { value: await cache.incr(req.key, req.delta === 0n ? 1n : req.delta) };
    },
    async getLatestTick(req) {
      const tick = await cache.getLatestTick(req.symbol, req.broker);
      return tick ? { found: true, tick } : { found: false };
    },
    async setIndicatorValue(req) {
      await cache.setIndicator(req.symbol, timeframeName(req.timeframe), req.indicator, req.value, Number(req.timeMsc), Number(req.ttlMs));
      return {};
    },
    async getIndicatorValue(req) {
      const v = await cache.getIndicator(req.symbol, timeframeName(req.timeframe), req.indicator);
      return v ? { found: true, value: v.value, timeMsc: BigInt(v.timeMsc) } : { found: false };
    },
    async setPrediction(req) {
      await cache.setPrediction(req.model, req.symbol, req.prediction ?? {}, Number(req.ttlMs));
      return {};
    },
    async getPrediction(req) {
      const prediction = await cache.getPrediction(req.model, req.symbol);
      return prediction ? { found: true, prediction } : { found: false };
    },
  };
}
