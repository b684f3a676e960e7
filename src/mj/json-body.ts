/**
 * Request bodies that carry members' images. A 7.5 MB picture as a data-URL inside `JSON.stringify` is a 10 MB
 * string plus copies; five of them twice at once exhausted the heap of `npm start`. Here an image stays the
 * member's bytes (outside the JS heap) and is base64-encoded in small chunks while the body is being sent.
 */

/** An image a member attached, sent to the API as a `data:` URL without ever becoming one big string. */
export class ImageData {
  constructor(
    readonly mime: string,
    readonly bytes: Buffer,
  ) {}

  /** Never the bytes: a body that is logged or stringified by accident shows what it holds, not the file. */
  toJSON(): string {
    return `[${this.mime} image, ${this.bytes.length} bytes]`;
  }
}

/** A JSON body ready to send: its exact length, and its bytes produced afresh for every attempt. */
export interface EncodedBody {
  length: number;
  chunks(): AsyncGenerator<Buffer>;
}

type Part = Buffer | ImageData;

/** Raw bytes base64-encoded per chunk: 48 KiB in, 64 KiB out (a multiple of 3, so chunks join cleanly). */
const RAW_CHUNK = 48 * 1024;

const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);

function walk(value: unknown, parts: Part[], text: string[]): void {
  const flush = () => {
    if (text.length) parts.push(Buffer.from(text.splice(0).join(''), 'utf8'));
  };
  if (value instanceof ImageData) {
    text.push(`"data:${value.mime};base64,`);
    flush();
    parts.push(value);
    text.push('"');
  } else if (Array.isArray(value)) {
    text.push('[');
    value.forEach((item, i) => {
      if (i) text.push(',');
      walk(item === undefined ? null : item, parts, text);
    });
    text.push(']');
  } else if (value !== null && typeof value === 'object') {
    text.push('{');
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (!first) text.push(',');
      first = false;
      text.push(`${JSON.stringify(key)}:`);
      walk(item, parts, text);
    }
    text.push('}');
  } else {
    text.push(JSON.stringify(value) ?? 'null');
  }
}

/** Whether `value` holds an ImageData anywhere (then it is streamed; small bodies are sent as one string). */
export function holdsImages(value: unknown): boolean {
  if (value instanceof ImageData) return true;
  if (Array.isArray(value)) return value.some(holdsImages);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsImages);
  return false;
}

export function encodeJson(value: unknown): EncodedBody {
  const parts: Part[] = [];
  const text: string[] = [];
  walk(value, parts, text);
  if (text.length) parts.push(Buffer.from(text.join(''), 'utf8'));
  const length = parts.reduce((sum, part) => sum + (part instanceof ImageData ? base64Length(part.bytes.length) : part.length), 0);
  return {
    length,
    async *chunks() {
      for (const part of parts) {
        if (!(part instanceof ImageData)) {
          yield part;
          continue;
        }
        for (let offset = 0; offset < part.bytes.length; offset += RAW_CHUNK) {
          yield Buffer.from(part.bytes.subarray(offset, offset + RAW_CHUNK).toString('base64'), 'latin1');
        }
      }
    },
  };
}
