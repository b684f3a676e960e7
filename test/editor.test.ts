import assert from 'node:assert/strict';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { checkMask, decodePng, imageSize } from '../src/editor/mask';
import { encodePng, PNG_SIGNATURE, pngChunk } from '../src/simulator';

type Chunk = [type: string, data: Buffer];

/** A PNG file of these chunks, each with its CRC, so that nothing but what a test breaks on purpose is wrong. */
function png(chunks: Chunk[]): Buffer {
  return Buffer.concat([PNG_SIGNATURE, ...chunks.map(([type, data]) => pngChunk(type, data))]);
}

/** An IHDR chunk; colour type 6 is RGBA, 4 gray+alpha, 2 RGB, 0 gray. */
function ihdr(width: number, height: number, { colour = 6, depth = 8, compression = 0, filter = 0, interlace = 0 } = {}): Chunk {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([depth, colour, compression, filter, interlace], 8);
  return ['IHDR', data];
}

const END: Chunk = ['IEND', Buffer.alloc(0)];
const CHANNELS = { 0: 1, 2: 3, 4: 2, 6: 4 } as const;

/** The scanlines of an image, row `y` with filter `filters(y)` (every filter by default, to check each is undone). */
function scanlines(width: number, height: number, channels: number, pixel: (x: number, y: number) => number[], filters = (y: number) => y % 5): Buffer {
  const rows: number[][] = [];
  for (let y = 0; y < height; y += 1) {
    const row: number[] = [];
    for (let x = 0; x < width; x += 1) row.push(...pixel(x, y));
    rows.push(row);
  }
  const paeth = (a: number, b: number, c: number) => {
    const p = a + b - c;
    const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  };
  const raw: number[] = [];
  rows.forEach((row, y) => {
    const filter = filters(y);
    raw.push(filter);
    row.forEach((value, i) => {
      const left = i >= channels ? row[i - channels]! : 0;
      const up = y > 0 ? rows[y - 1]![i]! : 0;
      const upLeft = i >= channels && y > 0 ? rows[y - 1]![i - channels]! : 0;
      const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter] ?? 0;
      raw.push((value - predicted) & 0xff);
    });
  });
  return Buffer.from(raw);
}

/** Scanlines of an RGBA black-and-white mask, white where `white(x, y)`. */
const maskRows = (width: number, height: number, white: (x: number, y: number) => boolean) =>
  scanlines(width, height, 4, (x, y) => (white(x, y) ? [255, 255, 255, 255] : [0, 0, 0, 255]));
const someWhite = (x: number, y: number) => x < 3 && y < 2;

/** A zlib stream of `data` that starts with `blocks` empty stored blocks: valid, inflating to `data`, but longer. */
function padded(data: Buffer, blocks: number): Buffer {
  let [a, b] = [1, 0];
  for (const byte of data) [a, b] = [(a + byte) % 65521, (b + a + byte) % 65521];
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((b << 16) | a) >>> 0);
  const empty = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]); // BFINAL 0, stored, LEN 0, NLEN ~0
  return Buffer.concat([Buffer.from([0x78, 0x01]), ...Array<Buffer>(blocks).fill(empty), deflateRawSync(data), adler]);
}

describe('the region editor’s mask checks', () => {
  it('decodes every PNG filter', () => {
    const colour = (x: number, y: number) => [(x * 37 + y) & 255, (y * 53) & 255, (x * y) & 255];
    const png3 = decodePng(png([ihdr(9, 10, { colour: 2 }), ['IDAT', deflateSync(scanlines(9, 10, 3, colour))], END]));
    assert.deepEqual([png3.width, png3.height, png3.channels], [9, 10, 3]);
    for (let y = 0; y < 10; y += 1) for (let x = 0; x < 9; x += 1) assert.deepEqual([...png3.data.subarray((y * 9 + x) * 3, (y * 9 + x) * 3 + 3)], colour(x, y));
    // Hashed noise of five levels, so that the Paeth predictor makes each of its choices, ties included.
    const hash = (i: number) => {
      const h = Math.imul(Math.imul(i + 1, 0x9e3779b1) ^ (Math.imul(i + 1, 0x9e3779b1) >>> 15), 0x85ebca6b);
      return (h ^ (h >>> 13)) >>> 24;
    };
    const noise = Array.from({ length: 16 * 20 * 4 }, (_, i) => (hash(i) % 5) * 60);
    const rgba = (x: number, y: number) => noise.slice((y * 16 + x) * 4, (y * 16 + x) * 4 + 4);
    for (let first = 0; first < 5; first += 1) {
      // Each filter on the first row too, where there is no row above.
      const png4 = decodePng(png([ihdr(16, 20), ['IDAT', deflateSync(scanlines(16, 20, 4, rgba, (y) => (y + first) % 5))], END]));
      assert.deepEqual([...png4.data], noise, `filter ${first} first`);
    }
    const grey = (x: number, y: number) => [(x * 71 + y * 13) & 255, (x + y * 29) & 255];
    const png2 = decodePng(png([ihdr(7, 11, { colour: 4 }), ['IDAT', deflateSync(scanlines(7, 11, 2, grey))], END]));
    assert.deepEqual([png2.width, png2.height, png2.channels, png2.data.length], [7, 11, 2, 7 * 11 * 2]);
    for (let y = 0; y < 11; y += 1) for (let x = 0; x < 7; x += 1) assert.deepEqual([...png2.data.subarray((y * 7 + x) * 2, (y * 7 + x) * 2 + 2)], grey(x, y));
  });

  it('takes a black-and-white mask of the image’s size with something painted, and refuses anything else', () => {
    const mask = (width: number, height: number, white: (i: number) => boolean, grey = false) => {
      const pixels = Buffer.alloc(width * height * 4);
      for (let i = 0; i < width * height; i += 1) {
        const v = white(i) ? 255 : grey && i === 0 ? 128 : 0;
        pixels.writeUInt32BE(((v << 24) | (v << 16) | (v << 8) | 255) >>> 0, i * 4);
      }
      return encodePng(width, height, pixels, 4);
    };
    assert.equal(checkMask(mask(8, 8, (i) => i < 10), 8, 8), undefined);
    assert.equal(checkMask(mask(8, 8, (i) => i < 10), 8, 9), 'wrong-size');
    assert.equal(checkMask(mask(8, 8, () => false), 8, 8), 'empty');
    assert.equal(checkMask(mask(8, 8, () => true), 8, 8), 'everything');
    assert.equal(checkMask(mask(8, 8, (i) => i > 3, true), 8, 8), 'not-black-and-white');
    assert.equal(checkMask(Buffer.from('not a png'), 8, 8), 'not-png');
  });

  it('checks masks of every colour type and filter, and a grey pixel in any row', () => {
    for (const colour of [0, 2, 4, 6] as const) {
      const channels = CHANNELS[colour];
      const file = (pixel: (x: number, y: number) => number[]) => png([ihdr(13, 10, { colour }), ['IDAT', deflateSync(scanlines(13, 10, channels, pixel))], END]);
      const bw = (v: number, alpha = 255) => [[v], [v, alpha], [v, v, v], [v, v, v, alpha]][channels - 1]!;
      assert.equal(checkMask(file((x, y) => bw((x + y) % 3 === 0 ? 255 : 0)), 13, 10), undefined, `colour type ${colour}`);
      assert.equal(checkMask(file((x, y) => bw(x === 12 && y === 9 ? 254 : x === 0 ? 255 : 0)), 13, 10), 'not-black-and-white', `colour type ${colour}`);
      if (channels === 2 || channels === 4) assert.equal(checkMask(file((x, y) => bw(x === 0 ? 255 : 0, x === 5 && y === 7 ? 0 : 255)), 13, 10), 'not-black-and-white');
      // Rows that repeat the one above (most of a mask) count as much as the others.
      assert.equal(checkMask(file(() => bw(255)), 13, 10), 'everything', `colour type ${colour}`);
      assert.equal(checkMask(file(() => bw(0)), 13, 10), 'empty', `colour type ${colour}`);
      assert.equal(checkMask(file((x, y) => bw(x + y === 0 ? 0 : 255)), 13, 10), undefined, `colour type ${colour}`);
      assert.equal(checkMask(file((x, y) => bw(x === 12 && y === 9 ? 0 : 255)), 13, 10), undefined, `colour type ${colour}`);
      assert.equal(checkMask(file((_, y) => bw(y === 9 ? 255 : 0)), 13, 10), undefined, `colour type ${colour}`);
      assert.equal(checkMask(file((x, y) => bw(x === 12 && y === 9 ? 128 : 255)), 13, 10), 'not-black-and-white', `colour type ${colour}`);
      if (channels >= 3) assert.equal(checkMask(file((x, y) => (x === 4 && y === 6 ? [255, 0, 0, 255] : bw(x === 0 ? 255 : 0)).slice(0, channels)), 13, 10), 'not-black-and-white');
    }
  });

  it('refuses a PNG bomb of the wrong size from its header, without inflating it', () => {
    // 4096 × 4096 RGBA of zeros: 67 MB inflated, about 65 KB compressed.
    const bomb = png([ihdr(4096, 4096), ['IDAT', deflateSync(Buffer.alloc((4096 * 4 + 1) * 4096), { level: 9 })], END]);
    assert.ok(bomb.length < 70_000, `${bomb.length} bytes`);
    assert.equal(checkMask(bomb, 1024, 1024), 'wrong-size');
    // It is a real bomb: at its own size it is inflated, and its transparent pixels refused.
    assert.equal(checkMask(bomb, 4096, 4096), 'not-black-and-white');

    // Observable "without inflating": data that is not zlib at all would be 'not-png' if it were inflated first.
    const notZlib = png([ihdr(4096, 4096), ['IDAT', Buffer.from('this is not a zlib stream')], END]);
    assert.equal(checkMask(notZlib, 1024, 1024), 'wrong-size');
    assert.equal(checkMask(notZlib, 4096, 4096), 'not-png');
    // Nor is anything after the header read: the signature and the IHDR alone are enough to refuse a size.
    assert.equal(checkMask(bomb.subarray(0, 33), 1024, 1024), 'wrong-size');
    assert.equal(checkMask(bomb.subarray(0, 33), 4096, 4096), 'not-png');
  });

  it('refuses data that inflates to more or less than the image’s size', () => {
    const exact = maskRows(8, 8, someWhite);
    const masked = (data: Buffer) => png([ihdr(8, 8), ['IDAT', deflateSync(data)], END]);
    assert.equal(checkMask(masked(exact), 8, 8), undefined);
    assert.equal(checkMask(masked(maskRows(8, 9, someWhite)), 8, 8), 'not-png', 'a row too many');
    assert.equal(checkMask(masked(Buffer.concat([exact, Buffer.from([0])])), 8, 8), 'not-png', 'a byte too many');
    assert.equal(checkMask(masked(exact.subarray(0, -1)), 8, 8), 'not-png', 'a byte too few');
    assert.equal(checkMask(masked(Buffer.alloc(64 * 1024 * 1024)), 8, 8), 'not-png', 'a bomb behind a right-sized header');
    assert.throws(() => decodePng(masked(Buffer.concat([exact, Buffer.from([0])]))));
    assert.equal(decodePng(masked(exact)).data.length, 8 * 8 * 4);
  });

  it('refuses truncated files and chunk lengths that lie, before inflating', () => {
    const good = png([ihdr(8, 8), ['IDAT', deflateSync(maskRows(8, 8, someWhite))], END]);
    assert.equal(checkMask(good, 8, 8), undefined);
    for (let length = 0; length < good.length; length += 1) assert.equal(checkMask(good.subarray(0, length), 8, 8), 'not-png', `cut at ${length} of ${good.length}`);
    const idatLength = good.readUInt32BE(33);
    const lying = (at: number, length: number) => {
      const copy = Buffer.from(good);
      copy.writeUInt32BE(length, at);
      return copy;
    };
    // Past the end of the file (its CRC and the IEND follow the data: 16 bytes), leaving a piece of a chunk, or short.
    for (const length of [idatLength + 5, idatLength + 13, idatLength + 24, idatLength - 1, 0, 0x7fffffff, 0xffffffff]) {
      assert.equal(checkMask(lying(33, length), 8, 8), 'not-png', `IDAT length ${length} for ${idatLength}`);
    }
    // The IDAT swallows the IEND exactly: its data would still inflate (zlib ignores what follows its end), but no IEND.
    assert.equal(checkMask(lying(33, idatLength + 12), 8, 8), 'not-png');
    for (const length of [12, 14, 0xffffffff]) assert.equal(checkMask(lying(8, length), 8, 8), 'not-png', `IHDR length ${length}`);
    assert.equal(checkMask(lying(good.length - 12, 1), 8, 8), 'not-png', 'IEND length 1');
  });

  it('refuses a malformed structure before inflating: header, chunk order, chunk counts, compressed size', () => {
    const rows = maskRows(8, 8, someWhite);
    const idat = deflateSync(rows);
    const text: Chunk = ['tEXt', Buffer.from('Comment\0drawn in a browser')];
    const file = (chunks: Chunk[]) => checkMask(png(chunks), 8, 8);
    // Controls: ancillary chunks anywhere, the data cut into several IDATs, including empty ones.
    assert.equal(file([ihdr(8, 8), text, ['IDAT', idat], text, END]), undefined);
    assert.equal(file([ihdr(8, 8), ['IDAT', idat.subarray(0, 5)], ['IDAT', Buffer.alloc(0)], ['IDAT', idat.subarray(5)], END]), undefined);

    assert.equal(file([text, ihdr(8, 8), ['IDAT', idat], END]), 'not-png', 'IHDR not first');
    assert.equal(file([ihdr(8, 8), ihdr(8, 8), ['IDAT', idat], END]), 'not-png', 'two IHDRs');
    assert.equal(file([ihdr(8, 8), END]), 'not-png', 'no IDAT');
    assert.equal(file([ihdr(8, 8), ['IDAT', idat.subarray(0, 5)], text, ['IDAT', idat.subarray(5)], END]), 'not-png', 'IDATs apart');
    assert.equal(file([ihdr(8, 8), ['IDAT', idat], ['tEXt', Buffer.alloc(0)], ['IDAT', Buffer.alloc(0)], END]), 'not-png', 'an empty IDAT apart');
    assert.equal(file([ihdr(8, 8, { depth: 16 }), ['IDAT', idat], END]), 'not-png', 'depth 16');
    assert.equal(file([ihdr(8, 8, { colour: 3 }), ['PLTE', Buffer.alloc(6)], ['IDAT', idat], END]), 'not-png', 'palette');
    assert.equal(file([ihdr(8, 8, { interlace: 1 }), ['IDAT', idat], END]), 'not-png', 'interlaced');
    assert.equal(file([ihdr(8, 8, { compression: 1 }), ['IDAT', idat], END]), 'not-png', 'compression method');
    assert.equal(file([ihdr(8, 8, { filter: 1 }), ['IDAT', idat], END]), 'not-png', 'filter method');
    assert.equal(checkMask(png([ihdr(0, 8), ['IDAT', idat], END]), 0, 8), 'not-png', 'no width');
    // Gray, so that 4096 × 4096 pixels inflate to only 16 MB; a pixel count past that is refused whatever it holds.
    const black = (width: number, height: number) => png([ihdr(width, height, { colour: 0 }), ['IDAT', deflateSync(Buffer.alloc((width + 1) * height))], END]);
    assert.equal(checkMask(black(4096, 4096), 4096, 4096), 'empty');
    assert.equal(checkMask(black(4097, 4096), 4097, 4096), 'not-png', 'beyond 4096²');
    // An unknown filter is 'not-png' even after a grey pixel in an earlier row.
    const badFilter = scanlines(8, 8, 4, (x, y) => (x === 0 && y === 0 ? [128, 128, 128, 255] : [0, 0, 0, 255]), (y) => (y === 7 ? 5 : 0));
    assert.equal(file([ihdr(8, 8), ['IDAT', deflateSync(badFilter)], END]), 'not-png', 'filter 5');

    // At most 4096 IDATs and 64 other chunks (IEND included).
    const split = (count: number): Chunk[] => [...Array<Chunk>(count - 1).fill(['IDAT', Buffer.alloc(0)]), ['IDAT', idat]];
    assert.equal(file([ihdr(8, 8), ...split(4096), END]), undefined);
    assert.equal(file([ihdr(8, 8), ...split(4097), END]), 'not-png', '4097 IDATs');
    assert.equal(file([ihdr(8, 8), ...Array<Chunk>(63).fill(text), ['IDAT', idat], END]), undefined);
    assert.equal(file([ihdr(8, 8), ...Array<Chunk>(64).fill(text), ['IDAT', idat], END]), 'not-png', '65 other chunks');

    // A valid stream padded with empty stored blocks beyond what any encoder writes for 8 × 8 RGBA (365 bytes).
    assert.equal(file([ihdr(8, 8), ['IDAT', padded(rows, 1)], END]), undefined);
    assert.equal(file([ihdr(8, 8), ['IDAT', padded(rows, 80)], END]), 'not-png', 'padded to 400 bytes more');
  });

  it('reads an image’s size from its first bytes', () => {
    assert.deepEqual(imageSize(encodePng(300, 200, Buffer.alloc(300 * 200 * 4), 4)), { width: 300, height: 200 });
    const gif = Buffer.from('GIF89a\x40\x01\xc8\x00', 'latin1');
    assert.deepEqual(imageSize(gif), { width: 320, height: 200 });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03]);
    assert.deepEqual(imageSize(jpeg), { width: 640, height: 480 });
    assert.equal(imageSize(Buffer.from('hello')), undefined);
  });
});
