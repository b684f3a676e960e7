import { inflateSync } from 'node:zlib';

/** A decoded PNG: `channels` bytes per pixel (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), rows top to bottom. */
export interface Pixels {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };
/** Masks are at most this many pixels (Midjourney's largest image is 2048 × 2048, upscaled 4096 × 4096). */
const MAX_PIXELS = 4096 * 4096;

class PngError extends Error {}

/**
 * Decodes an 8-bit, non-interlaced PNG (gray, gray+alpha, RGB or RGBA): what a browser's canvas.toDataURL()
 * makes. Anything else is refused with a PngError; the pixel count is bounded before anything is inflated.
 */
export function decodePng(bytes: Buffer): Pixels {
  if (!bytes.subarray(0, 8).equals(SIGNATURE)) throw new PngError('not a PNG');
  let offset = 8;
  let header: { width: number; height: number; channels: number } | undefined;
  const idat: Buffer[] = [];
  for (let chunks = 0; offset + 8 <= bytes.length && chunks < 100_000; chunks += 1) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (data.length !== length) throw new PngError('truncated PNG');
    offset += 12 + length;
    if (type === 'IHDR') {
      const [depth, color, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      const channels = CHANNELS[color ?? -1];
      if (depth !== 8 || !channels || interlace !== 0) throw new PngError('only 8-bit, non-interlaced gray or RGB(A) PNGs');
      header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), channels };
      if (!header.width || !header.height || header.width * header.height > MAX_PIXELS) throw new PngError('image too large');
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (!header) throw new PngError('PNG without a header');
  const { width, height, channels } = header;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat), { maxOutputLength: (stride + 1) * height });
  if (raw.length !== (stride + 1) * height) throw new PngError('PNG data does not match its size');
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    const row = y * stride;
    const src = y * (stride + 1) + 1;
    for (let x = 0; x < stride; x += 1) {
      const left = x >= channels ? out[row + x - channels]! : 0;
      const up = y > 0 ? out[row - stride + x]! : 0;
      const upLeft = x >= channels && y > 0 ? out[row - stride + x - channels]! : 0;
      const value = raw[src + x]!;
      let predicted: number;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = left;
          break;
        case 2:
          predicted = up;
          break;
        case 3:
          predicted = (left + up) >> 1;
          break;
        case 4: {
          const p = left + up - upLeft;
          const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
          predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
          break;
        }
        default:
          throw new PngError(`unknown PNG filter ${filter}`);
      }
      out[row + x] = (value + predicted) & 0xff;
    }
  }
  return { width, height, channels, data: out };
}

/** Width and height of a PNG, JPEG, GIF or WebP from its first bytes, or undefined. */
export function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.subarray(0, 8).equals(SIGNATURE) && bytes.length >= 24) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.toString('latin1', 0, 3) === 'GIF' && bytes.length >= 10) return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP' && bytes.length >= 30) {
    const chunk = bytes.toString('latin1', 12, 16);
    if (chunk === 'VP8 ') return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = bytes.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X') return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
    return undefined;
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    // JPEG: walk the segments to a start-of-frame marker.
    for (let offset = 2; offset + 9 < bytes.length; ) {
      if (bytes[offset] !== 0xff) return undefined;
      const marker = bytes[offset + 1]!;
      const length = bytes.readUInt16BE(offset + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: bytes.readUInt16BE(offset + 7), height: bytes.readUInt16BE(offset + 5) };
      }
      offset += 2 + length;
    }
  }
  return undefined;
}

export type MaskProblem = 'not-png' | 'wrong-size' | 'not-black-and-white' | 'empty' | 'everything';

/**
 * Checks a Vary (Region) mask: a PNG exactly `width` × `height`, only black (keep) and white (repaint) pixels
 * (alpha, if any, fully opaque), at least one white pixel and not all white. Resolves to the problem, if any.
 */
export function checkMask(bytes: Buffer, width: number, height: number): MaskProblem | undefined {
  let pixels: Pixels;
  try {
    pixels = decodePng(bytes);
  } catch {
    return 'not-png';
  }
  if (pixels.width !== width || pixels.height !== height) return 'wrong-size';
  const { data, channels } = pixels;
  const colour = channels >= 3 ? 3 : 1;
  const hasAlpha = channels === 2 || channels === 4;
  let white = 0;
  for (let i = 0; i < data.length; i += channels) {
    if (hasAlpha && data[i + channels - 1] !== 255) return 'not-black-and-white';
    const first = data[i]!;
    if (first !== 0 && first !== 255) return 'not-black-and-white';
    for (let c = 1; c < colour; c += 1) if (data[i + c] !== first) return 'not-black-and-white';
    if (first === 255) white += 1;
  }
  if (white === 0) return 'empty';
  if (white === width * height) return 'everything';
  return undefined;
}
