import type { Metric } from "../ports/vector-store.js";

/** Distance as Weaviate defines it for each metric (smaller is nearer). */
export function distance(metric: Metric, a: Float32Array, b: Float32Array): number {
  let dot = 0;
  switch (metric) {
    case "dot":
      for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
      return -dot;
    case "l2-squared": {
      let sum = 0;
      for (let i = 0; i < a.length; i++) {
        const d = a[i]! - b[i]!;
        sum += d * d;
      }
      return sum;
    }
    case "cosine": {
      let na = 0;
      let nb = 0;
      for (let i = 0; i < a.length; i++) {
        dot += a[i]! * b[i]!;
        na += a[i]! * a[i]!;
        nb += b[i]! * b[i]!;
      }
      const denom = Math.sqrt(na) * Math.sqrt(nb);
      return denom === 0 ? 1 : 1 - dot / denom;
    }
  }
}

export function norm(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  return Math.sqrt(sum);
}

/** Cosine distance when both norms are known already (the embedded index keeps them). */
export function cosineDistance(a: Float32Array, normA: number, b: Float32Array, normB: number): number {
  if (normA === 0 || normB === 0) return 1;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return 1 - dot / (normA * normB);
}
