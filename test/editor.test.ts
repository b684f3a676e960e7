import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { checkMask, decodePng, imageSize } from '../src/editor/png';
import { encodePng } from '../src/simulator';

/** A PNG with every scanline filter, to check the decoder undoes each. */
function filtered(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const raw: number[] = [];
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
  rows.forEach((row, y) => {
    const filter = y % 5;
    raw.push(filter);
    row.forEach((value, i) => {
      const left = i >= 3 ? row[i - 3]! : 0;
      const up = y > 0 ? rows[y - 1]![i]! : 0;
      const upLeft = i >= 3 && y > 0 ? rows[y - 1]![i - 3]! : 0;
      const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
      raw.push((value - predicted) & 0xff);
    });
  });
  const chunk = (type: string, data: Buffer) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    return out; // CRC is not checked by the decoder
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.from(raw))), chunk('IEND', Buffer.alloc(0))]);
}

describe('the region editor’s mask checks', () => {
  it('decodes every PNG filter', () => {
    const colour = (x: number, y: number): [number, number, number] => [(x * 37 + y) & 255, (y * 53) & 255, (x * y) & 255];
    const png = decodePng(filtered(9, 10, colour));
    assert.deepEqual([png.width, png.height, png.channels], [9, 10, 3]);
    for (let y = 0; y < 10; y += 1) for (let x = 0; x < 9; x += 1) assert.deepEqual([...png.data.subarray((y * 9 + x) * 3, (y * 9 + x) * 3 + 3)], colour(x, y));
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

  it('reads an image’s size from its first bytes', () => {
    assert.deepEqual(imageSize(encodePng(300, 200, Buffer.alloc(300 * 200 * 4), 4)), { width: 300, height: 200 });
    const gif = Buffer.from('GIF89a\x40\x01\xc8\x00', 'latin1');
    assert.deepEqual(imageSize(gif), { width: 320, height: 200 });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03]);
    assert.deepEqual(imageSize(jpeg), { width: 640, height: 480 });
    assert.equal(imageSize(Buffer.from('hello')), undefined);
  });
});
