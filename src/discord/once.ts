import type { RepliableInteraction } from 'discord.js';
import { UserError } from '../errors';
import { retentionOf } from '../config';
import type { Submitted } from '../mj/client';
import { unexpired, type ClickRecord } from '../store';
import type { BotContext } from './context';

/** A repeat of the same request within this window is a double click (or a double submit), not a new request. */
const DOUBLE_CLICK_MS = 30_000;
const inFlight = new Set<string>();

export interface OnceRequest {
  /** What makes two requests the same (a button key, a form and its prompt). */
  key: string;
  /** How the member names it: “V1”, “This prompt”. */
  what: string;
  /** Refuse every repeat, not only those within the window (U1–U4 make the same picture every time). */
  oneShot?: boolean;
}

/**
 * Runs `start` (which defers and submits) once per key: a repeat while it runs, or soon after it (kept in the
 * store, so also after a restart), is refused privately with a link to the card the first one started.
 */
export async function startOnce(
  interaction: RepliableInteraction,
  ctx: BotContext,
  request: OnceRequest,
  start: () => Promise<Submitted>,
): Promise<void> {
  const onItsWay = `${request.what} is already on its way.`;
  if (inFlight.has(request.key)) throw new UserError(onItsWay);
  inFlight.add(request.key);
  try {
    const now = ctx.clock();
    const previous = unexpired<ClickRecord>(await ctx.store.clicks.get(request.key), now);
    // Records written before they carried an expiry: judged by their age as before.
    const live = previous && (previous.expiresAt !== undefined || request.oneShot || now - previous.at < DOUBLE_CLICK_MS);
    if (previous && live) {
      throw new UserError(`${onItsWay}${previous.messageUrl ? ` See ${previous.messageUrl}` : ''}`);
    }
    const submitted = await start();
    const reply = await interaction.fetchReply().catch(() => undefined);
    // A one-shot click counts as long as its card lives; a double click only within its window.
    const keepMs = request.oneShot ? retentionOf(ctx.config) : DOUBLE_CLICK_MS;
    await ctx.store.clicks.set(request.key, { startedTaskId: submitted.taskId, at: now, messageUrl: reply?.url, expiresAt: now + keepMs }, keepMs);
  } finally {
    inFlight.delete(request.key);
  }
}
