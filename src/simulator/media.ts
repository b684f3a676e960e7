import { randomBytes } from 'node:crypto';
import { encodePng } from './png';
import { renderGrid, renderPreview, renderSingle, sha256, type RawImage } from './pictures';
import type { SimTaskRecord } from './sim-types';

/**
 * Files the simulator serves: generated PNGs (`/images/<taskId>/<name>.png`), uploaded images
 * (`/uploads/<id>.<ext>`) and dummy videos (`/videos/<taskId>/0_<i>.mp4`). Everything is generated on
 * request and kept in small byte-bounded LRU caches.
 */

class ByteLru<V extends { length: number }> {
  private readonly map = new Map<string, V>();
  private bytes = 0;
  constructor(private readonly maxBytes: number, private readonly maxEntries: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.bytes -= old.length;
      this.map.delete(key);
    }
    this.map.set(key, value);
    this.bytes += value.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes && this.map.size <= this.maxEntries) break;
      if (k === key) break;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }
  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}

export interface ServedFile {
  contentType: string;
  data: Buffer;
}

const MIME_EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

export interface ParsedImage {
  mime: string;
  data: Buffer;
}

/**
 * Parses an image payload: a data-URL (`data:image/png;base64,…`), or when `allowBare` a bare base64 string
 * (taken as PNG). Returns undefined when malformed.
 */
export function parseBase64Image(value: unknown, allowBare: boolean): ParsedImage | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s.exec(value.trim());
  if (!match && !allowBare) return undefined;
  const mime = match ? match[1]!.toLowerCase() : 'image/png';
  const payload = (match ? match[2]! : value).replace(/\s+/g, '');
  if (payload.length === 0 || payload.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(payload)) return undefined;
  const data = Buffer.from(payload, 'base64');
  return data.length > 0 ? { mime, data } : undefined;
}

/**
 * Cache key of a task's pictures: what they are drawn from, not the task id. Tasks with the same prompt draw
 * the same picture, and it is encoded once, as a CDN would serve the same file.
 */
function pictureKey(record: SimTaskRecord): string {
  return sha256(`${record.output}|${record.width}x${record.height}|${JSON.stringify(record.tiles)}`).toString('base64url');
}

/**
 * A file that starts like an MP4 (ftyp + free + mdat boxes), exactly `size` bytes (at least 64).
 * @public
 */
export function dummyMp4(size: number): Buffer {
  const bytes = Math.max(64, Math.floor(size));
  const data = Buffer.alloc(bytes);
  data.writeUInt32BE(24, 0);
  data.write('ftypisom', 4, 'latin1');
  data.writeUInt32BE(0x200, 12);
  data.write('isomiso2', 16, 'latin1');
  data.writeUInt32BE(8, 24);
  data.write('free', 28, 'latin1');
  data.writeUInt32BE(bytes - 32, 32);
  data.write('mdat', 36, 'latin1');
  for (let i = 40; i < bytes; i++) data[i] = (i * 31) & 0xff;
  return data;
}

export class MediaStore {
  private readonly images = new ByteLru<Buffer>(48 * 1024 * 1024, 2000);
  private readonly raws = new ByteLru<Uint8Array>(32 * 1024 * 1024, 200);
  private readonly uploads = new ByteLru<ServedFile & { length: number }>(64 * 1024 * 1024, 1000);
  private videoCache: Buffer | undefined;

  /** Stores an uploaded image; returns its path (`/uploads/<id>.<ext>`). */
  addUpload(image: ParsedImage): string {
    const name = `${Date.now().toString(36)}${randomBytes(6).toString('hex')}.${MIME_EXT[image.mime] ?? 'png'}`;
    this.uploads.set(name, { contentType: image.mime, data: image.data, length: image.data.length });
    return `/uploads/${name}`;
  }

  upload(name: string): ServedFile | undefined {
    return this.uploads.get(name);
  }

  /** The final picture of a task (grid or single tile), uncompressed; cached. */
  private finalRaw(record: SimTaskRecord, single: boolean, tile = 0): RawImage {
    const key = `${pictureKey(record)}/${single ? `s${tile}` : 'g'}`;
    const cached = this.raws.get(key);
    const { width, height } = record;
    if (cached) return { width, height, pixels: cached };
    const first = record.tiles[tile] ?? record.tiles[0];
    if (!first) throw new Error('task has no picture');
    const raw = single ? renderSingle(first, width, height) : renderGrid(record.tiles, width, height);
    this.raws.set(key, raw.pixels);
    return raw;
  }

  /**
   * PNG `name` of a task: `grid`, `image` (single), `frame` (video first frame), `0_<i>` (tile i),
   * `preview-<percent>`. Undefined for an unknown name.
   */
  image(record: SimTaskRecord, name: string): Buffer | undefined {
    const key = `${pictureKey(record)}/${name}`;
    const cached = this.images.get(key);
    if (cached) return cached;
    const single = record.output !== 'grid' && record.output !== 'edit';
    let raw: RawImage | undefined;
    const tileMatch = /^0_([0-3])$/.exec(name);
    const previewMatch = /^preview-(\d{1,3})$/.exec(name);
    if (name === 'grid' && !single) raw = this.finalRaw(record, false);
    else if ((name === 'image' || name === 'frame') && record.tiles.length > 0) raw = this.finalRaw(record, true);
    else if (tileMatch && record.tiles.length > 0) raw = this.finalRaw(record, true, Number(tileMatch[1]));
    else if (previewMatch && record.tiles.length > 0) raw = renderPreview(this.finalRaw(record, single), Number(previewMatch[1]));
    if (!raw) return undefined;
    const png = encodePng(raw.width, raw.height, raw.pixels);
    this.images.set(key, png);
    return png;
  }

  /** The one video every task serves (they are never played, only downloaded and attached). */
  video(): Buffer {
    this.videoCache ??= dummyMp4(4096);
    return this.videoCache;
  }

  clear(): void {
    this.images.clear();
    this.raws.clear();
    this.uploads.clear();
    this.videoCache = undefined;
  }
}
