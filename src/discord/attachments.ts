import type { Attachment } from 'discord.js';
import { UserError } from '../errors';
import type { Messages, Text } from '../i18n';
import { ImageData } from '../mj/json-body';
import type { Downloader } from '../net/downloader';
import { sniffFileType } from '../net/file-type';
import { linkRefusal } from '../net/links';
import type { BotContext } from './context';

/**
 * Largest image the bot forwards to the API (data-URLs grow by a third).
 * @internal
 */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

/**
 * The image type by content (magic bytes), whatever the file is called.
 * @internal
 */
export function sniffImage(data: Buffer): string | undefined {
  const type = sniffFileType(data);
  return type?.kind === 'image' ? type.mime : undefined;
}

/**
 * 1536 → "1.5 KB", 8388608 → "8 MB": sizes a member can read.
 * @internal
 */
export function formatBytes(bytes: number, t: Messages): string {
  if (bytes < 1024) return t.images.bytes(bytes);
  const [value, unit] = bytes < 1048576 ? [bytes / 1024, 'KB'] : [bytes / 1048576, 'MB'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

/**
 * The largest image a member may attach: the API limit, or MAX_UPLOAD_BYTES when that is smaller.
 * @internal
 */
export function imageCap(maxUploadBytes: number): number {
  return Math.min(MAX_IMAGE_BYTES, maxUploadBytes);
}

/** Checks what can be checked without downloading: throws a UserError naming the fix. */
function checkAttachmentSize(attachment: AttachmentRef, what: Text, maxBytes = MAX_IMAGE_BYTES): void {
  if (attachment.size > maxBytes) {
    throw new UserError((t) => t.images.attachedTooLarge(what(t), formatBytes(attachment.size, t), formatBytes(maxBytes, t)));
  }
}

/**
 * Bytes of members' images held at once, across every command (UPLOAD_BUDGET_BYTES). Requests that would go
 * over are refused before anything is downloaded or sent, so memory stays bounded whatever members attach.
 */
export class UploadBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Takes `bytes` now, or returns undefined; the returned function gives them back (once). */
  tryTake(bytes: number): (() => void) | undefined {
    if (this.used + bytes > this.limit) return undefined;
    this.used += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
    };
  }
}

/** What the bot needs of a member's attachment: where Discord keeps it, its name and size (kept with a choice, too). */
export type AttachmentRef = Pick<Attachment, 'url' | 'name' | 'size'>;

/** An attachment as a plain record: a start that waits for its member's choice keeps it in the store. */
export const attachmentRef = (attachment: AttachmentRef): AttachmentRef => ({ url: attachment.url, name: attachment.name, size: attachment.size });

/** One attachment option of a command, and how the member calls it ("Image 2", "The first frame"). */
export interface ImageSlot {
  attachment: AttachmentRef;
  what: Text;
}

/** Downloads a member's attachment, refusing anything that is not an image by its content. */
async function downloadImage(downloader: Downloader, slot: ImageSlot, maxBytes: number): Promise<ImageData> {
  const { attachment, what } = slot;
  let data;
  try {
    data = await downloader.download(attachment.url, maxBytes, 20_000);
  } catch {
    throw new UserError((t) => t.images.downloadFailed(what(t)));
  }
  if (!data) throw new UserError((t) => t.images.tooLarge(what(t), formatBytes(maxBytes, t)));
  const type = sniffImage(data);
  if (!type) {
    throw new UserError((t) => t.images.notImage(what(t), attachment.name));
  }
  return new ImageData(type, data);
}

/**
 * Checks the sizes of a command's images, reserves them in the upload budget (or refuses privately, before
 * any defer or download), then runs `use` with a function that downloads them. The reservation lasts until
 * `use` ends, i.e. until the submit that carries the images has been answered.
 */
export async function withImages<T>(ctx: BotContext, slots: ImageSlot[], use: (download: () => Promise<ImageData[]>) => Promise<T>): Promise<T> {
  const cap = imageCap(ctx.config.MAX_UPLOAD_BYTES);
  for (const slot of slots) checkAttachmentSize(slot.attachment, slot.what, cap);
  const bytes = slots.reduce((sum, slot) => sum + Math.min(cap, slot.attachment.size), 0);
  if (bytes > ctx.uploads.limit) {
    throw new UserError((t) => t.images.togetherTooLarge(formatBytes(bytes, t), formatBytes(ctx.uploads.limit, t)));
  }
  const release = ctx.uploads.tryTake(bytes);
  if (!release) {
    throw new UserError((t) => t.images.busy, 'upload budget full');
  }
  try {
    return await use(() => Promise.all(slots.map((slot) => downloadImage(ctx.downloads, slot, cap))));
  } finally {
    release();
  }
}

/**
 * Checks a link a member typed before it goes to the API, which will fetch it: http(s), and a public address
 * (src/net/links.ts), so a member cannot make the API's server read its own network.
 */
export async function checkLink(ctx: Pick<BotContext, 'resolve' | 'logger'>, link: string, what: Text): Promise<string> {
  const trimmed = link.trim();
  if (!/^https?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) {
    throw new UserError((t) => t.input.linkNotWeb(what(t)));
  }
  const refused = await linkRefusal(new URL(trimmed), ctx.resolve);
  if (refused) throw new UserError((t) => t.input.linkNotPublic(what(t)), refused);
  return trimmed;
}
