import type { Attachment } from 'discord.js';
import { UserError } from '../errors';
import { downloadFile } from '../tasks/results';

/** Largest image the bot forwards to the API (data-URLs grow by a third). */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

const SIGNATURES: Array<[string, (b: Buffer) => boolean]> = [
  ['image/png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['image/gif', (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a'],
  ['image/webp', (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP'],
];

/** The image type by content (magic bytes), whatever the file is called. */
export function sniffImage(data: Buffer): string | undefined {
  return SIGNATURES.find(([, test]) => test(data))?.[0];
}

/** 1536 → "1.5 KB", 8388608 → "8 MB": sizes a member can read. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1048576 ? [bytes / 1024, 'KB'] : [bytes / 1048576, 'MB'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

/** The largest image a member may attach: the API limit, or MAX_UPLOAD_BYTES when that is smaller. */
export function imageCap(maxUploadBytes: number): number {
  return Math.min(MAX_IMAGE_BYTES, maxUploadBytes);
}

/** Checks what can be checked without downloading: throws a UserError naming the fix. */
export function checkAttachmentSize(attachment: Attachment, what: string, maxBytes = MAX_IMAGE_BYTES): void {
  if (attachment.size > maxBytes) {
    throw new UserError(
      `${what} is ${formatBytes(attachment.size)}; the limit is ${formatBytes(maxBytes)}. Please attach a smaller image.`,
    );
  }
}

/** Downloads a member's attachment and returns it as a data-URL, refusing anything that is not an image. */
export async function attachmentAsDataUrl(attachment: Attachment, what: string, maxBytes = MAX_IMAGE_BYTES): Promise<string> {
  checkAttachmentSize(attachment, what, maxBytes);
  let file;
  try {
    file = await downloadFile(attachment.url, maxBytes, 20_000);
  } catch {
    throw new UserError(`${what} could not be downloaded from Discord. Please attach it again.`);
  }
  if (!file) throw new UserError(`${what} is larger than ${formatBytes(maxBytes)}. Please attach a smaller image.`);
  const type = sniffImage(file.data);
  if (!type) {
    throw new UserError(`${what} (“${attachment.name}”) is not a PNG, JPEG, WebP or GIF image. Please attach an image.`);
  }
  return `data:${type};base64,${file.data.toString('base64')}`;
}

/** Checks a link a member typed: http(s) only. */
export function checkLink(link: string, what: string): string {
  const trimmed = link.trim();
  if (!/^https?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) {
    throw new UserError(`${what} must be a web address starting with http:// or https://.`);
  }
  return trimmed;
}
