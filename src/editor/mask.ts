import { inflateSync } from 'node:zlib';

/**
 * A decoded PNG: `channels` bytes per pixel (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), rows top to bottom.
 * @internal
 */
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
/** Chunks after the IHDR other than IDAT a PNG may have (a browser writes its IEND and perhaps an sRGB or pHYs). */
const MAX_OTHER_CHUNKS = 64;
/**
 * IDAT chunks a PNG may have. libpng (Chromium's and Firefox's encoder) cuts its data every 8 KB, other encoders
 * write one chunk or bigger ones; 4096 × 8 KB is more than a request body can hold, so no browser's mask reaches it.
 */
const MAX_IDAT_CHUNKS = 4096;

/** What the chunks of a PNG say, read without inflating anything. */
interface Header {
  width: number;
  height: number;
  channels: number;
}

/** Inflated scanlines are one filter byte and `width × channels` bytes per row: the only size a valid PNG inflates to. */
const inflatedSize = ({ width, height, channels }: Header) => (width * channels + 1) * height;

/**
 * The most compressed bytes an honest encoder writes for `size` bytes: zlib's deflateBound() when it cannot assume its
 * default settings (a fixed-Huffman block of noise grows by up to 1/8). Anything longer is padding, not an image.
 */
const compressedBound = (size: number) => size + (size >> 3) + (size >> 6) + 64;

/**
 * The IHDR of an 8-bit, non-interlaced gray, gray+alpha, RGB or RGBA PNG (what a browser's canvas.toDataURL() makes),
 * which must be the first chunk; undefined for anything else. Reads 33 bytes, so a size can be refused at once.
 */
function readHeader(bytes: Buffer): Header | undefined {
  if (bytes.length < 8 + 12 + 13 || !bytes.subarray(0, 8).equals(SIGNATURE)) return undefined;
  if (bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const [depth, colour, compression, filter, interlace] = bytes.subarray(24, 29);
  const channels = CHANNELS[colour!];
  if (depth !== 8 || !channels || compression !== 0 || filter !== 0 || interlace !== 0) return undefined;
  if (!width || !height || width * height > MAX_PIXELS) return undefined;
  return { width, height, channels };
}

/**
 * The compressed image data of a PNG whose header is `header`: its IDAT chunks, which must follow each other, joined.
 * Undefined, still without inflating, when a chunk claims more bytes than are left, there is no IEND, there are too
 * many chunks, or the data is longer than any encoder would write for that size.
 */
function readImageData(bytes: Buffer, header: Header): Buffer | undefined {
  const maxCompressed = compressedBound(inflatedSize(header));
  let first = -1; // offset of the first IDAT chunk
  let count = 0;
  let total = 0;
  let others = 0;
  let ended = false;
  for (let offset = 8 + 12 + 13, previous = 'IHDR'; !ended; ) {
    if (offset + 12 > bytes.length) return undefined;
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    // Length, type, data and CRC must all be there: a file cut short or a length that lies is not decoded.
    if (length > bytes.length - offset - 12) return undefined;
    if (type === 'IDAT') {
      if (count > 0 && previous !== 'IDAT') return undefined;
      if (count === 0) first = offset;
      count += 1;
      total += length;
      if (count > MAX_IDAT_CHUNKS || total > maxCompressed) return undefined;
    } else {
      if (type === 'IHDR' || (others += 1) > MAX_OTHER_CHUNKS) return undefined;
      ended = type === 'IEND';
    }
    previous = type;
    offset += 12 + length;
  }
  if (count === 0) return undefined;
  // One chunk (what most encoders write for a mask) is used where it lies; several are copied once into one buffer.
  if (count === 1) return bytes.subarray(first + 8, first + 8 + total);
  const data = Buffer.allocUnsafe(total);
  for (let offset = first, at = 0; at < total; ) {
    const length = bytes.readUInt32BE(offset);
    bytes.copy(data, at, offset + 8, offset + 8 + length);
    at += length;
    offset += 12 + length;
  }
  return data;
}

/**
 * The scanlines of the image, or undefined unless the data inflates to exactly their size. Node's inflateSync fills
 * one output buffer of `chunkSize` bytes before making another and joining them: with room for one byte more than
 * the image, a valid PNG inflates into a single buffer (no copy), and more data stops at that byte (maxOutputLength).
 * 64 bytes is the smallest chunkSize zlib takes.
 */
function inflateRows(data: Buffer, header: Header): Buffer | undefined {
  const size = inflatedSize(header);
  let raw: Buffer;
  try {
    raw = inflateSync(data, { chunkSize: Math.max(64, size + 1), maxOutputLength: size });
  } catch {
    return undefined;
  }
  if (raw.length !== size) return undefined;
  // Every row's filter is checked before any pixel is looked at, so an unknown filter is always 'not-png'.
  for (let at = 0; at < size; at += header.width * header.channels + 1) if (raw[at]! > 4) return undefined;
  return raw;
}

/**
 * Undoes the filter of scanline `y` in place (the scanline above is already undone): `raw` needs no second buffer.
 * A loop per filter rather than a switch per byte: this runs for every byte of a 4096 × 4096 mask.
 * Writes to a Uint8Array wrap modulo 256 by themselves.
 */
function unfilter(raw: Uint8Array, y: number, stride: number, bpp: number): void {
  const at = y * (stride + 1) + 1; // the scanline's first byte, after its filter byte
  const up = at - (stride + 1); // the same byte of the scanline above
  const filter = raw[at - 1];
  if (filter === 0 || (filter === 2 && y === 0)) return;
  if (filter === 1 || (filter === 4 && y === 0)) {
    // Paeth with nothing above picks the left byte: Sub.
    for (let x = bpp; x < stride; x += 1) raw[at + x] = raw[at + x]! + raw[at + x - bpp]!;
  } else if (filter === 2) {
    for (let x = 0; x < stride; x += 1) raw[at + x] = raw[at + x]! + raw[up + x]!;
  } else if (filter === 3) {
    for (let x = 0; x < stride; x += 1) {
      const left = x >= bpp ? raw[at + x - bpp]! : 0;
      raw[at + x] = raw[at + x]! + ((left + (y > 0 ? raw[up + x]! : 0)) >> 1);
    }
  } else {
    // Paeth with nothing on the left picks the byte above.
    for (let x = 0; x < bpp; x += 1) raw[at + x] = raw[at + x]! + raw[up + x]!;
    for (let x = bpp; x < stride; x += 1) {
      const a = raw[at + x - bpp]!;
      const b = raw[up + x]!;
      const c = raw[up + x - bpp]!;
      const pa = Math.abs(b - c);
      const pb = Math.abs(a - c);
      const pc = Math.abs(a + b - c - c);
      raw[at + x] = raw[at + x]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }
  }
}

class PngError extends Error {}

/**
 * Decodes an 8-bit, non-interlaced PNG (gray, gray+alpha, RGB or RGBA): what a browser's canvas.toDataURL()
 * makes. Anything else is refused with a PngError; the pixel count is bounded before anything is inflated.
  * @internal
 */
export function decodePng(bytes: Buffer): Pixels {
  const header = readHeader(bytes);
  if (!header) throw new PngError('only 8-bit, non-interlaced gray or RGB(A) PNGs of at most 4096 × 4096');
  const data = readImageData(bytes, header);
  if (!data) throw new PngError('malformed PNG chunks');
  const raw = inflateRows(data, header);
  if (!raw) throw new PngError('PNG data does not match its size');
  const { width, height, channels } = header;
  const stride = width * channels;
  for (let y = 0; y < height; y += 1) unfilter(raw, y, stride, channels);
  // Drops the filter bytes by moving each row back over them: the pixels end up in the buffer they were inflated to.
  for (let y = 0; y < height; y += 1) raw.copyWithin(y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
  return { width, height, channels, data: raw.subarray(0, stride * height) };
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
 *
 * The size comes from the header before anything is inflated, so a small file declaring a huge image costs nothing;
 * a right-sized one is inflated once into a buffer of exactly its size and checked row by row as it is unfiltered.
 */
export function checkMask(bytes: Buffer, width: number, height: number): MaskProblem | undefined {
  const header = readHeader(bytes);
  if (!header) return 'not-png';
  if (header.width !== width || header.height !== height) return 'wrong-size';
  const data = readImageData(bytes, header);
  const raw = data && inflateRows(data, header);
  if (!raw) return 'not-png';
  const { channels } = header;
  const stride = width * channels;
  const colour = channels >= 3 ? 3 : 1;
  const hasAlpha = channels === 2 || channels === 4;
  const zeros = Buffer.alloc(stride);
  let white = 0;
  let rowWhite = 0; // white pixels in the row above
  for (let y = 0; y < height; y += 1) {
    const at = y * (stride + 1) + 1;
    // Most rows of a mask repeat the row above, already checked and counted. Browsers filter them "Up" (all zeros),
    // so native memcmp and memmove can stand for JavaScript loops over each byte.
    if (y > 0 && raw[at - 1] === 2 && zeros.compare(raw, at, at + stride) === 0) {
      raw.copyWithin(at, at - stride - 1, at - 1);
      white += rowWhite;
      continue;
    }
    unfilter(raw, y, stride, channels);
    // The same for a repeated row another encoder filtered otherwise, once unfiltered.
    if (y > 0 && raw.compare(raw, at - stride - 1, at - 1, at, at + stride) === 0) {
      white += rowWhite;
      continue;
    }
    let count = 0;
    for (let i = at; i < at + stride; i += channels) {
      if (hasAlpha && raw[i + channels - 1] !== 255) return 'not-black-and-white';
      const first = raw[i]!;
      if (first !== 0 && first !== 255) return 'not-black-and-white';
      for (let c = 1; c < colour; c += 1) if (raw[i + c] !== first) return 'not-black-and-white';
      if (first === 255) count += 1;
    }
    rowWhite = count;
    white += count;
  }
  if (white === 0) return 'empty';
  if (white === width * height) return 'everything';
  return undefined;
}
