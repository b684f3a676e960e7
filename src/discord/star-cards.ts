import { starCount, type Stars } from '../community/stars';
import type { Logger } from '../logger';
import { renderCard, type RenderOptions } from '../render/card';
import { showcaseCount } from '../render/showcase';
import { unexpired, type Store, type TrackedTask } from '../store';
import type { RestPublisher } from './rest-publisher';

/**
 * One card's edits: at most one per GAP_MS. Discord allows about 5 edits per 5 s per channel for all the bot's
 * messages there, so a burst of stars on a card is one edit now and one more with the count at the end.
 */
const GAP_MS = 1_000;
/** A card whose final edit is still on its way (the tracker follows it) is tried again this many times, GAP_MS apart. */
const MAX_WAITS = 60;

interface CardEdits {
  /** Stars changed since the last edit began. */
  dirty: boolean;
  /** The gap after an edit: a change meanwhile waits for it. */
  timer: NodeJS.Timeout | undefined;
  waits: number;
}

export interface StarCardsOptions {
  store: Store;
  stars: Stars;
  publisher: RestPublisher;
  /** The card's render options, as the tracker draws it (the buttons its API offers). */
  render: (task: TrackedTask) => RenderOptions;
  logger: Logger;
  clock: () => number;
}

/**
 * Brings the ⭐ count to a finished card and to its showcase post, after tracking ended: with the bot token (the
 * interaction's has expired or will), sending only what changed (the card's buttons, the post's first line), each
 * card at most once per GAP_MS. A card or a post Discord no longer lets the bot edit (deleted) is left alone,
 * quietly. Owned by the app: its timers end with `stop()`.
 */
export class StarCards {
  private readonly cards = new Map<string, CardEdits>();
  private readonly running = new Set<Promise<void>>();
  /** Callers of `idle` waiting for the last card to be done. */
  private readonly waiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly options: StarCardsOptions) {}

  /** The stars of `taskId` changed: its card (and showcase post) show it now, or after the gap of the last edit. */
  changed(taskId: string): void {
    if (this.stopped) return;
    const card = this.cards.get(taskId);
    if (card) {
      card.dirty = true;
      return;
    }
    const fresh: CardEdits = { dirty: true, timer: undefined, waits: 0 };
    this.cards.set(taskId, fresh);
    this.run(taskId, fresh);
  }

  /** Resolves once no card has an edit under way or waiting (tests; a card is done a gap after its last edit). */
  idle(): Promise<void> {
    return this.cards.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Waits for edits under way and drops those waiting for their gap. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const card of this.cards.values()) clearTimeout(card.timer);
    this.cards.clear();
    await Promise.all([...this.running]);
    this.done();
  }

  private done(): void {
    if (this.cards.size === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  private run(taskId: string, card: CardEdits): void {
    card.dirty = false;
    const edit = this.edit(taskId)
      .then((again) => {
        if (again && card.waits < MAX_WAITS) {
          card.waits += 1;
          card.dirty = true;
        }
      })
      .catch((err: unknown) => this.options.logger.warn({ err, taskId }, 'could not show the stars of a card'))
      .finally(() => {
        this.running.delete(edit);
        if (this.stopped) return;
        card.timer = setTimeout(() => {
          card.timer = undefined;
          if (card.dirty && !this.stopped) return this.run(taskId, card);
          this.cards.delete(taskId);
          this.done();
        }, GAP_MS);
        card.timer.unref();
      });
    this.running.add(edit);
  }

  /** One edit of the card and of its showcase post with the count stored now; true when the card is not final yet. */
  private async edit(taskId: string): Promise<boolean> {
    const { store, stars, publisher, logger } = this.options;
    const task = unexpired<TrackedTask>(await store.tasks.get(taskId), this.options.clock());
    if (!task) return false;
    // The tracker still owns the card: its final edit is on its way, and this one would race it.
    if (task.lifecycle === 'tracked') return true;
    const star = await stars.get(taskId);
    const count = starCount(star);
    const { channelId, messageId } = task.message;
    if (task.lifecycle === 'delivered' && messageId && !star?.cardGone) {
      // Only the buttons change: the card's embed and files stay as they are.
      const { components } = renderCard(task, { ...this.options.render(task), stars: count }).payload;
      if ((await publisher.editMessage(channelId, messageId, { components })) === 'gone') {
        logger.info({ taskId }, 'the card is gone: its stars are no longer shown on it');
        await stars.cardGone(taskId);
      }
    }
    const post = star?.showcase;
    if (post?.state === 'posted' && post.messageId) {
      if ((await publisher.editMessage(post.channelId, post.messageId, { content: showcaseCount(task, count) })) === 'gone') await stars.showcaseGone(taskId);
    }
    return false;
  }
}
