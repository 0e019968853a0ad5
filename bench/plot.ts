import { writeFileSync } from "node:fs";
import { PNG } from "pngjs";

/**
 * Line charts as PNG, drawn into pixels with pngjs: the project needs a few charts of bench
 * series, and a charting stack (canvas, a browser) would need native code or fonts this machine
 * may not have. Labels use a 3x5 pixel font of digits and a few letters, scaled up.
 */

export type Series = { label: string; color: [number, number, number]; points: { x: number; y: number }[] };
export type Panel = { title: string; unit: string; series: Series[] };

const WIDTH = 1000;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 90, right: 20, top: 40, bottom: 40 };
const SCALE = 3;

// 3x5 glyphs, one row per string, "1" = ink.
const GLYPHS: Record<string, string[]> = {
  "0": ["111", "101", "101", "101", "111"],
  "1": ["010", "110", "010", "010", "111"],
  "2": ["111", "001", "111", "100", "111"],
  "3": ["111", "001", "111", "001", "111"],
  "4": ["101", "101", "111", "001", "001"],
  "5": ["111", "100", "111", "001", "111"],
  "6": ["111", "100", "111", "101", "111"],
  "7": ["111", "001", "010", "010", "010"],
  "8": ["111", "101", "111", "101", "111"],
  "9": ["111", "101", "111", "001", "111"],
  ".": ["000", "000", "000", "000", "010"],
  "/": ["001", "001", "010", "100", "100"],
  " ": ["000", "000", "000", "000", "000"],
  "-": ["000", "000", "111", "000", "000"],
  "(": ["010", "100", "100", "100", "010"],
  ")": ["010", "001", "001", "001", "010"],
  ",": ["000", "000", "000", "010", "100"],
  A: ["010", "101", "111", "101", "101"], B: ["110", "101", "110", "101", "110"], C: ["111", "100", "100", "100", "111"],
  D: ["110", "101", "101", "101", "110"], E: ["111", "100", "110", "100", "111"], F: ["111", "100", "110", "100", "100"],
  G: ["111", "100", "101", "101", "111"], H: ["101", "101", "111", "101", "101"], I: ["111", "010", "010", "010", "111"],
  K: ["101", "101", "110", "101", "101"], L: ["100", "100", "100", "100", "111"], M: ["101", "111", "111", "101", "101"],
  N: ["110", "101", "101", "101", "101"], O: ["111", "101", "101", "101", "111"], P: ["111", "101", "111", "100", "100"],
  Q: ["111", "101", "101", "111", "001"], R: ["110", "101", "110", "101", "101"], S: ["111", "100", "111", "001", "111"],
  T: ["111", "010", "010", "010", "010"], U: ["101", "101", "101", "101", "111"], V: ["101", "101", "101", "101", "010"],
  W: ["101", "101", "111", "111", "101"], X: ["101", "101", "010", "101", "101"], Y: ["101", "101", "010", "010", "010"],
  J: ["001", "001", "001", "101", "111"], Z: ["111", "001", "010", "100", "111"],
};

class Canvas {
  readonly png: PNG;
  constructor(width: number, height: number) {
    this.png = new PNG({ width, height });
    this.png.data.fill(255);
  }
  dot(x: number, y: number, [r, g, b]: [number, number, number]): void {
    if (x < 0 || y < 0 || x >= this.png.width || y >= this.png.height) return;
    const i = (Math.round(y) * this.png.width + Math.round(x)) * 4;
    this.png.data[i] = r;
    this.png.data[i + 1] = g;
    this.png.data[i + 2] = b;
    this.png.data[i + 3] = 255;
  }
  line(x0: number, y0: number, x1: number, y1: number, color: [number, number, number], thick = 1): void {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let d = 0; d < thick; d++) this.dot(x, y + d, color);
    }
  }
  text(x: number, y: number, text: string, color: [number, number, number] = [40, 40, 40]): void {
    let cx = x;
    for (const ch of text.toUpperCase()) {
      const glyph = GLYPHS[ch] ?? GLYPHS[" "]!;
      glyph.forEach((row, gy) =>
        [...row].forEach((ink, gx) => {
          if (ink !== "1") return;
          for (let sy = 0; sy < SCALE; sy++) for (let sx = 0; sx < SCALE; sx++) this.dot(cx + gx * SCALE + sx, y + gy * SCALE + sy, color);
        }),
      );
      cx += 4 * SCALE;
    }
  }
}

const short = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e4 ? `${Math.round(v / 1e3)}K` : v >= 100 ? String(Math.round(v)) : v.toFixed(1));

/** Writes one PNG with a panel per entry, stacked, sharing the x axis (seconds, in each title). */
export function plot(path: string, panels: Panel[]): void {
  const canvas = new Canvas(WIDTH, PANEL_HEIGHT * panels.length);
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.x)));
  const xMax = Math.max(1, ...xs);
  panels.forEach((panel, i) => {
    const top = i * PANEL_HEIGHT + MARGIN.top;
    const bottom = (i + 1) * PANEL_HEIGHT - MARGIN.bottom;
    const left = MARGIN.left;
    const right = WIDTH - MARGIN.right;
    const yMax = Math.max(1e-9, ...panel.series.flatMap((s) => s.points.map((pt) => pt.y))) * 1.1;
    canvas.text(left, top - 30, `${panel.title} (${panel.unit}) over seconds`);
    for (let g = 0; g <= 4; g++) {
      const y = bottom - ((bottom - top) * g) / 4;
      canvas.line(left, y, right, y, [225, 225, 225]);
      canvas.text(4, y - 7, short((yMax * g) / 4));
    }
    canvas.line(left, top, left, bottom, [60, 60, 60]);
    canvas.line(left, bottom, right, bottom, [60, 60, 60]);
    for (let t = 0; t <= 5; t++) {
      const label = String(Math.round((xMax * t) / 5));
      canvas.text(Math.min(left + ((right - left) * t) / 5 - 8, right - label.length * 4 * SCALE), bottom + 8, label);
    }
    panel.series.forEach((s, k) => {
      canvas.text(right - 300, top + k * 20, s.label, s.color);
      s.points.forEach((pt, j) => {
        if (j === 0) return;
        const prev = s.points[j - 1]!;
        const px = (v: number) => left + ((right - left) * v) / xMax;
        const py = (v: number) => bottom - ((bottom - top) * v) / yMax;
        canvas.line(px(prev.x), py(prev.y), px(pt.x), py(pt.y), s.color, 2);
      });
    });
  });
  writeFileSync(path, PNG.sync.write(canvas.png));
}
