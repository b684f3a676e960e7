import { createHash } from 'node:crypto';
import type { TileParams } from './sim-types';

/**
 * Deterministic test pictures. A tile is a colour gradient with a pattern (rings, stripes, checks or a sun),
 * described by a few numbers (TileParams) so that upscales, variations, zooms and pans can derive their
 * pictures from the parent's tiles.
 */

export interface RawImage {
  width: number;
  height: number;
  /** RGB, row-major. */
  pixels: Uint8Array;
}

export function sha256(...parts: Array<string | Uint8Array>): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** mulberry32 seeded with the first 4 bytes of sha256(seed). */
export function rngFor(seed: string): () => number {
  let state = sha256(seed).readUInt32BE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hsv(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][((i % 6) + 6) % 6]!;
  return [Math.round(r! * 255), Math.round(g! * 255), Math.round(b! * 255)];
}

function tileFrom(rng: () => number, hueBase: number): TileParams {
  const hue = (hueBase + rng() * 0.25) % 1;
  return {
    c1: hsv(hue, 0.45 + rng() * 0.45, 0.55 + rng() * 0.4),
    c2: hsv((hue + 0.3 + rng() * 0.3) % 1, 0.4 + rng() * 0.5, 0.35 + rng() * 0.5),
    c3: hsv((hue + 0.5 + rng() * 0.2) % 1, 0.2 + rng() * 0.5, 0.85 + rng() * 0.15),
    angle: rng() * Math.PI * 2,
    pattern: Math.floor(rng() * 4),
    freq: 3 + rng() * 7,
    cx: 0.3 + rng() * 0.4,
    cy: 0.3 + rng() * 0.4,
    scale: 1,
  };
}

/** Four (or `count`) different tiles derived from a seed string. */
export function makeTiles(seed: string, count = 4): TileParams[] {
  const rng = rngFor(seed);
  const hue = rng();
  return Array.from({ length: count }, (_, k) => tileFrom(rng, hue + k * 0.23));
}

const mix = (a: number, b: number, t: number) => a + (b - a) * t;
const mixColour = (a: [number, number, number], b: [number, number, number], t: number): [number, number, number] => [
  Math.round(mix(a[0], b[0], t)),
  Math.round(mix(a[1], b[1], t)),
  Math.round(mix(a[2], b[2], t)),
];

export interface Mutation {
  /** 0 = identical, 1 = unrelated. */
  strength: number;
  /** Multiplies the zoom factor (0.5 = zoom out 2x). */
  scale?: number;
  /** Shifts the pattern centre (pan). */
  dx?: number;
  dy?: number;
}

/** `count` tiles that resemble `base` (variations, zoom, pan, reroll). */
export function mutateTiles(base: TileParams, seed: string, mutation: Mutation, count = 4): TileParams[] {
  const { strength } = mutation;
  const others = makeTiles(seed, count);
  return others.map((other) => ({
    c1: mixColour(base.c1, other.c1, strength),
    c2: mixColour(base.c2, other.c2, strength),
    c3: mixColour(base.c3, other.c3, strength),
    angle: base.angle + (other.angle - Math.PI) * strength * 0.5,
    pattern: strength > 0.6 ? other.pattern : base.pattern,
    freq: mix(base.freq, other.freq, strength),
    cx: base.cx + (mutation.dx ?? 0) + (other.cx - 0.5) * strength * 0.3,
    cy: base.cy + (mutation.dy ?? 0) + (other.cy - 0.5) * strength * 0.3,
    scale: base.scale * (mutation.scale ?? 1),
  }));
}

const TWO_PI = Math.PI * 2;

/** Paints tile `p` into `out` over the rectangle (x0, y0, w, h) of an image `stride` pixels wide. */
function paintTile(out: Uint8Array, stride: number, p: TileParams, x0: number, y0: number, w: number, h: number): void {
  const cos = Math.cos(p.angle);
  const sin = Math.sin(p.angle);
  const inv = 1 / p.scale;
  for (let y = 0; y < h; y++) {
    const sy = ((y + 0.5) / h - 0.5) * inv + 0.5;
    let o = ((y0 + y) * stride + x0) * 3;
    for (let x = 0; x < w; x++) {
      const sx = ((x + 0.5) / w - 0.5) * inv + 0.5;
      let t = (sx - 0.5) * cos + (sy - 0.5) * sin + 0.5;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      let m: number;
      const ddx = sx - p.cx;
      const ddy = sy - p.cy;
      switch (p.pattern) {
        case 0:
          m = 0.5 + 0.5 * Math.sin(Math.sqrt(ddx * ddx + ddy * ddy) * p.freq * TWO_PI);
          break;
        case 1:
          m = 0.5 + 0.5 * Math.sin((sx + sy * 0.3) * p.freq * TWO_PI);
          break;
        case 2:
          m = (Math.floor(sx * p.freq) + Math.floor(sy * p.freq)) & 1;
          break;
        default: {
          const d = Math.sqrt(ddx * ddx + ddy * ddy);
          m = d < 0.22 ? 1 : Math.max(0, 1 - (d - 0.22) * 6);
        }
      }
      const a = 1 - 0.45 * m;
      const b = 0.45 * m;
      out[o++] = (p.c1[0] + (p.c2[0] - p.c1[0]) * t) * a + p.c3[0] * b;
      out[o++] = (p.c1[1] + (p.c2[1] - p.c1[1]) * t) * a + p.c3[1] * b;
      out[o++] = (p.c1[2] + (p.c2[2] - p.c1[2]) * t) * a + p.c3[2] * b;
    }
  }
}

/** A 2×2 grid of `tiles` with a thin dark gutter. */
export function renderGrid(tiles: readonly TileParams[], width: number, height: number): RawImage {
  const pixels = new Uint8Array(width * height * 3).fill(18);
  const gutter = Math.max(1, Math.round(Math.min(width, height) / 128));
  const tw = Math.floor((width - gutter) / 2);
  const th = Math.floor((height - gutter) / 2);
  const cols = [0, tw + gutter];
  const rows = [0, th + gutter];
  for (let k = 0; k < 4; k++) {
    const tile = tiles[k] ?? tiles[0];
    if (!tile) continue;
    const x0 = cols[k % 2]!;
    const y0 = rows[Math.floor(k / 2)]!;
    paintTile(pixels, width, tile, x0, y0, k % 2 ? width - x0 : tw, k >= 2 ? height - y0 : th);
  }
  return { width, height, pixels };
}

/** One tile at full size (upscale, swap face, video frame). */
export function renderSingle(tile: TileParams, width: number, height: number): RawImage {
  const pixels = new Uint8Array(width * height * 3);
  paintTile(pixels, width, tile, 0, 0, width, height);
  return { width, height, pixels };
}

/** The in-progress preview of `image` at `percent`: pixelated and darkened in proportion to (100 − percent). */
export function renderPreview(image: RawImage, percent: number): RawImage {
  const { width, height, pixels } = image;
  const missing = Math.max(0, Math.min(100, 100 - percent)) / 100;
  const block = Math.max(1, Math.round((Math.min(width, height) * missing) / 8));
  const factor = 0.3 + 0.7 * (1 - missing);
  const out = new Uint8Array(pixels.length);
  for (let by = 0; by < height; by += block) {
    const sy = Math.min(height - 1, by + (block >> 1));
    for (let bx = 0; bx < width; bx += block) {
      const s = (sy * width + Math.min(width - 1, bx + (block >> 1))) * 3;
      const r = pixels[s]! * factor;
      const g = pixels[s + 1]! * factor;
      const b = pixels[s + 2]! * factor;
      for (let y = by; y < Math.min(height, by + block); y++) {
        let o = (y * width + bx) * 3;
        for (let x = bx; x < Math.min(width, bx + block); x++) {
          out[o++] = r;
          out[o++] = g;
          out[o++] = b;
        }
      }
    }
  }
  return { width, height, pixels: out };
}

/** Width and height for a prompt's `--ar W:H` (or `ar`), the longer side being `edge`. */
export function dimensionsFor(edge: number, prompt: string, ar?: [number, number]): [number, number] {
  const match = /--(?:ar|aspect)\s+(\d+)\s*:\s*(\d+)/i.exec(prompt);
  const [aw, ah] = ar ?? (match ? [Number(match[1]), Number(match[2])] : [1, 1]);
  if (!(aw > 0 && ah > 0)) return [edge, edge];
  const ratio = Math.max(0.25, Math.min(4, aw / ah));
  return ratio >= 1 ? [edge, Math.max(8, Math.round(edge / ratio))] : [Math.max(8, Math.round(edge * ratio)), edge];
}
