import type { Logger } from '../logger';
import type { Downloader } from '../net/downloader';
import { renderCard, type RenderedCard, type RenderOptions } from '../render/card';
import { isFinal } from '../render/state';
import type { Store, TrackedTask } from '../store';
import { saveButtonTargets, slotsInRecord } from './button-targets';
import { EditQueue } from './edit-queue';
import type { Publisher, Upload } from './publisher';
import { collectResultFiles } from './result-files';

export interface DeliveryOptions {
  maxUploadBytes: number;
  /** Fetches result files for the final cards (refuses private addresses outside the allowed origins). */
  downloader: Downloader;
  /** How long button targets of a final card are kept (RETENTION_DAYS). */
  retentionMs: number;
  render?: (task: TrackedTask) => RenderOptions;
  editConcurrency?: number;
  editsPerSecond?: number;
  clock: () => number;
}

/** What happened to a task's card: delivery reports it, the tracker changes the record (it alone writes records). */
export type CardReport =
  /** The final card's result files were fetched: `files` are attached, `blocked` refused (not public, not allowed). */
  | { kind: 'results'; files: TrackedTask['files']; blocked: string[] }
  /** The final card's buttons: kept in the record, written before they appear (an instant click finds its target). */
  | { kind: 'buttons'; slots: NonNullable<TrackedTask['buttonSlots']> }
  /** Discord refused the result files for good: the final card links them instead. */
  | { kind: 'files-refused' }
  /** Discord no longer takes the interaction token: the card is edited through the channel from now on. */
  | { kind: 'token-expired' }
  /** The card, as message `messageId` (it may have moved), shows the record as rendered to `hash`; `final`: its last state. */
  | { kind: 'shown'; final: boolean; hash: string; messageId: string | undefined }
  /** The card cannot be shown any more (deleted, or refused for good): tracking ends. */
  | { kind: 'lost'; why: string };

/** What delivery needs from the task state machine (tracker.ts). */
export interface DeliveryHost {
  /** The task's current record, while it is tracked. */
  record(taskId: string): TrackedTask | undefined;
  report(record: TrackedTask, report: CardReport): Promise<void>;
  /** Whether this process may still edit its cards: in a fleet, not once its leases may have run out (fleet.ts). */
  mayEdit(): boolean;
}

/** A card edit withheld because the leases may have run out: asked again this much later (the next tick renews them). */
const WITHHELD_RETRY_MS = 500;

/** Final edits Discord refuses for good are tried this often, then once more without files, then given up. */
const MAX_REFUSALS = 3;
/** Transient failures (5xx, network) of one card are retried with backoff this many times (about 15 minutes). */
const MAX_TRANSIENT = 20;

/**
 * Card delivery: renders a task's latest state and brings its Discord message up to date, through one edit queue
 * for every card. On the final state it downloads the results once, has the button targets saved before the
 * buttons appear, and uploads the files; failures are retried a bounded number of times, then the card falls back
 * to links, then it is given up. It writes no task record: what happened is reported to the tracker (CardReport).
 * Holds nothing of a task once its card is delivered or given up.
 */
export class CardDelivery {
  private readonly queue: EditQueue;
  private readonly uploads = new Map<string, Upload[]>();
  /** Failed deliveries per task since its last success: bounded retries, never a loop. */
  private readonly failures = new Map<string, { refused: number; transient: number }>();
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    private readonly host: DeliveryHost,
    private readonly store: Store,
    private readonly publisher: Publisher,
    private readonly logger: Logger,
    private readonly options: DeliveryOptions,
  ) {
    this.queue = new EditQueue((taskId) => this.deliver(taskId), {
      concurrency: options.editConcurrency ?? 32,
      // Bot-token edits are held to Discord's global limit by the publisher; this bounds interaction edits too.
      perSecond: options.editsPerSecond ?? 500,
    });
  }

  /** Brings the task's card up to date soon; `final` cards go first. */
  push(taskId: string, final = false): void {
    this.queue.push(taskId, final);
  }

  /** Drops what is held for a task that is no longer tracked. */
  forget(taskId: string): void {
    this.uploads.delete(taskId);
    this.failures.delete(taskId);
  }

  /**
   * The card of a task as it would be drawn now, without files (links instead), with its button targets saved:
   * what `/task` shows privately, with the image's `stars`.
   */
  async preview(record: TrackedTask, stars: number): Promise<RenderedCard> {
    const rendered = renderCard({ ...record, files: [] }, { ...this.options.render?.(record), stars });
    await this.saveButtons(record, rendered);
    return rendered;
  }

  private async saveButtons(record: TrackedTask, rendered: RenderedCard): Promise<void> {
    const { retentionMs, clock } = this.options;
    await saveButtonTargets(this.store, record, rendered.slots, clock() + retentionMs, retentionMs);
  }

  /** A final card's buttons go into its record (one write, by the tracker), or one by one where the keys cannot name the task. */
  private async keepButtons(record: TrackedTask, rendered: RenderedCard): Promise<void> {
    if (!slotsInRecord(record, rendered.slots)) return this.saveButtons(record, rendered);
    await this.host.report(record, { kind: 'buttons', slots: rendered.slots.map(({ customId, label }) => ({ customId, label })) });
  }

  /** The edit queue's worker. */
  private async deliver(taskId: string): Promise<void> {
    const record = this.host.record(taskId);
    if (!record) return;
    const final = isFinal(record.state);
    try {
      if (final && !this.uploads.has(taskId)) {
        const limit = Math.min(this.options.maxUploadBytes, record.message.uploadLimit ?? Infinity);
        const { files, uploads, blocked } = await collectResultFiles(record, limit, this.options.downloader, this.logger);
        await this.host.report(record, { kind: 'results', files, blocked });
        this.uploads.set(taskId, uploads);
      }
      const rendered = renderCard(record, this.options.render?.(record) ?? {});
      const shown = { kind: 'shown', final, hash: rendered.hash } as const;
      if (rendered.hash === record.renderedHash) return this.host.report(record, { ...shown, messageId: record.message.messageId });
      // Button targets are stored before the buttons appear, so an instant click always finds its target.
      if (final) await this.keepButtons(record, rendered);
      const result = await this.publisher.publish(record.message, rendered.payload, final ? (this.uploads.get(taskId) ?? []) : [], this.host.mayEdit);
      if (result.interactionExpired) await this.host.report(record, { kind: 'token-expired' });
      if (result.ok) {
        this.failures.delete(taskId);
        await this.host.report(record, { ...shown, messageId: result.messageId });
      } else if (result.gone) {
        await this.host.report(record, { kind: 'lost', why: 'card message is gone: tracking ends, the task stays reachable with /task' });
      } else if ('withheld' in result) {
        // Not a failure: once the leases are renewed this process edits again; if another took the task, it lets go.
        this.later(taskId, final, WITHHELD_RETRY_MS);
      } else if (result.permanent) {
        await this.refused(record, final, result.tooLarge);
      } else {
        this.retryLater(record, final, result.retryAfterMs);
      }
    } catch (error) {
      this.logger.error({ err: error, taskId }, 'card update failed');
      this.retryLater(record, final, 2_000);
    }
  }

  private failuresOf(taskId: string): { refused: number; transient: number } {
    let count = this.failures.get(taskId);
    if (!count) this.failures.set(taskId, (count = { refused: 0, transient: 0 }));
    return count;
  }

  private later(taskId: string, final: boolean, delayMs: number): void {
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.queue.push(taskId, final);
    }, delayMs);
    timer.unref();
    this.retries.add(timer);
  }

  /** A transient failure: again after a growing delay, a bounded number of times. */
  private retryLater(record: TrackedTask, final: boolean, baseMs: number): void {
    const count = this.failuresOf(record.taskId);
    count.transient += 1;
    if (count.transient > MAX_TRANSIENT) {
      void this.host.report(record, { kind: 'lost', why: 'card could not be updated after many tries: tracking ends' });
      return;
    }
    this.later(record.taskId, final, Math.min(60_000, baseMs * 2 ** Math.min(5, count.transient - 1)));
  }

  /**
   * Discord refused this payload and would refuse it again. A progress edit is skipped (the next state is
   * another payload). A final edit is tried a few times, then without its files (links instead), then given up.
   */
  private async refused(record: TrackedTask, final: boolean, tooLarge: boolean): Promise<void> {
    if (!final) return;
    const count = this.failuresOf(record.taskId);
    count.refused += 1;
    const hasFiles = (this.uploads.get(record.taskId)?.length ?? 0) > 0;
    if (hasFiles && (tooLarge || count.refused >= MAX_REFUSALS)) {
      this.logger.warn({ taskId: record.taskId }, 'Discord refused the result files: the final card links them instead');
      await this.host.report(record, { kind: 'files-refused' });
      this.uploads.set(record.taskId, []);
    } else if (count.refused >= MAX_REFUSALS) {
      await this.host.report(record, { kind: 'lost', why: 'Discord refused the final card for good: tracking ends' });
      return;
    }
    this.later(record.taskId, true, 1_000 * count.refused);
  }

  /** Resolves when no card edit is queued or running (or after `timeoutMs`). */
  idle(timeoutMs?: number): Promise<void> {
    return this.queue.idle(timeoutMs);
  }

  /** Waits for edits in progress (at most `timeoutMs`), then takes no more. */
  async stop(timeoutMs = 5_000): Promise<void> {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await this.queue.idle(timeoutMs);
    this.queue.stop();
  }
}
