import type { Logger } from '../logger';
import type { MjClient } from '../mj/client';
import type { MjTask } from '../mj/schemas';
import type { Downloader } from '../net/downloader';
import type { RenderOptions } from '../render/card';
import type { Store, TrackedTask } from '../store';
import { formatDuration } from '../render/text';
import { CardDelivery, type DeliveryHost } from './delivery';
import { TaskPoller } from './poller';
import { PollSchedule } from './schedule';
import type { Publisher } from './publisher';
import { isTerminal, rank, viewChanged, viewFromTask } from './view';

export interface TrackerOptions {
  pollIntervalMs: number;
  stallAfterMs: number;
  timeoutMs: number;
  maxUploadBytes: number;
  batchSize?: number;
  editConcurrency?: number;
  editsPerSecond?: number;
  /** Consecutive polls a task may be unknown to the API before it is given up. */
  maxMisses?: number;
  /** Fetches result files for the final cards (refuses private addresses outside the allowed origins). */
  downloader: Downloader;
  /** How long a finished task's record is kept (RETENTION_DAYS). */
  retentionMs: number;
  /** A task reached its final status (quotas refund failures); may be told again after a restart. */
  onEnded?: (record: TrackedTask) => Promise<void>;
  render?: (task: TrackedTask) => RenderOptions;
  clock?: () => number;
}

/** Callbacks this close together are answered by one batched poll. */
const HINT_BATCH_MS = 20;

/**
 * The task state machine: follows every task in flight with one scheduler. Batched polls (which notifyHook
 * callbacks only hasten) update each task's state, which is written to the store at every change; the stall and
 * timeout watchdog ends what hangs; card delivery (delivery.ts) brings each card up to date. Only the tracker
 * changes its records.
 */
export class Tracker {
  readonly active = new Map<string, TrackedTask>();
  private readonly schedule: PollSchedule;
  readonly delivery: CardDelivery;
  readonly poller: TaskPoller;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  /** A poll soon for tasks a callback named: hints arriving within HINT_BATCH_MS share one poll. */
  private hintTimer: NodeJS.Timeout | undefined;
  /** A hint arrived while a tick ran: tick again as soon as it ends. */
  private hintedDuringTick = false;
  private readonly clock: () => number;

  constructor(
    mj: MjClient,
    private readonly store: Store,
    publisher: Publisher,
    private readonly logger: Logger,
    private readonly options: TrackerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.poller = new TaskPoller(mj, store, logger, options.batchSize ?? 100);
    this.schedule = new PollSchedule(options.pollIntervalMs);
    const host: DeliveryHost = {
      record: (taskId) => this.active.get(taskId),
      delivered: (record, final) => this.delivered(record, final),
      detached: async (record, why) => {
        this.logger.info({ taskId: record.taskId }, why);
        await this.release(record, 'detached');
      },
    };
    this.delivery = new CardDelivery(host, store, publisher, logger, { ...options, clock: this.clock });
  }

  /** Loads every unfinished task from the store and drives it on, as if the bot had never stopped. */
  async resume(): Promise<number> {
    await this.poller.load();
    const ids = (await this.store.inflight.get('ids')) ?? [];
    const records = await Promise.all(ids.map((id) => this.store.tasks.get(id)));
    const now = this.clock();
    for (const record of records) {
      if (!record || record.phase === 'done' || record.phase === 'detached') continue;
      this.active.set(record.taskId, record);
      this.schedule.add(record.taskId, now);
      if (isTerminal(record.view.status)) {
        this.delivery.push(record.taskId, true);
        await this.ended(record);
      }
    }
    await this.saveIndex();
    return this.active.size;
  }

  /** Fine enough that a task is polled close to its period, coarse enough to batch many tasks per tick. */
  private get tickMs(): number {
    return Math.max(50, Math.min(250, Math.floor(this.options.pollIntervalMs / 10)));
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.hintTimer);
    this.hintTimer = undefined;
    await this.delivery.stop();
  }

  /** Starts following a freshly submitted task; its card is drawn at once. */
  async track(record: TrackedTask): Promise<void> {
    this.active.set(record.taskId, record);
    this.schedule.add(record.taskId, this.clock() + this.options.pollIntervalMs);
    await this.store.tasks.set(record.taskId, record);
    await this.saveIndex();
    this.delivery.push(record.taskId, isTerminal(record.view.status));
  }

  /** The member sent the prompt a task waited for (Edit prompt): its card shows it from the next change. */
  promptSent(taskId: string, prompt: string): void {
    const record = this.active.get(taskId);
    if (record) record.prompt = prompt;
  }

  isTracking(taskId: string): boolean {
    return this.active.has(taskId);
  }

  /**
   * A notifyHook callback named this task: it is polled at the next tick, and what that poll answers is what the
   * card shows. The callback's body is never trusted (anyone who learns the hook URL can send one).
   */
  hint(taskId: string): void {
    if (!this.schedule.hint(taskId)) return;
    if (this.ticking) this.hintedDuringTick = true;
    else this.pollSoon();
  }

  /** One tick within HINT_BATCH_MS (while the tracker runs), instead of waiting for the next period's. */
  private pollSoon(): void {
    if (!this.timer) return;
    this.hintTimer ??= setTimeout(() => {
      this.hintTimer = undefined;
      void this.tick();
    }, HINT_BATCH_MS);
  }

  /** A task report from a poll. Unknown ids are ignored; stale reports too. */
  async ingest(task: MjTask): Promise<boolean> {
    const record = this.active.get(task.id);
    if (!record || isTerminal(record.view.status)) return false;
    if (rank(task.status, task.progress) < rank(record.view.status, record.view.progress)) return false;
    const view = viewFromTask(task, record.view);
    const now = this.clock();
    // Once its prompt is sent, a task that waited in MODAL starts over: the timeout counts from here.
    if (record.view.status === 'MODAL' && view.status !== 'MODAL') record.submittedAt = now;
    const changed = viewChanged(record.view, view) || Boolean(record.apiTrouble);
    record.apiTrouble = undefined;
    record.view = view;
    if (changed) {
      record.lastChangeAt = now;
      if (record.phase === 'stalled') record.phase = 'active';
    }
    this.schedule.answered(task.id, now, { status: view.status, stalled: record.phase === 'stalled' });
    if (changed || isTerminal(view.status)) {
      await this.store.tasks.set(record.taskId, record);
      this.delivery.push(record.taskId, isTerminal(view.status));
    }
    if (isTerminal(view.status)) await this.ended(record);
    return changed;
  }

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.clock();
      await this.watchdog(now);
      // Tasks due before the next tick join this one: fewer, fuller batches at no cost in lag.
      const horizon = now + this.tickMs / 2;
      const due = this.schedule.takeDue(now, horizon);
      if (due.length === 0) return;
      const { found, missing, failed } = await this.poller.poll(due);
      await Promise.all([...found.values()].map((task) => this.ingest(task)));
      for (const id of missing) await this.missed(id);
      await this.troubled(failed);
    } catch (error) {
      this.logger.error({ err: error }, 'poll tick failed');
    } finally {
      this.ticking = false;
      if (this.hintedDuringTick) {
        this.hintedDuringTick = false;
        this.pollSoon();
      }
    }
  }

  /** The API could not be asked about these tasks: their cards say so until an answer comes. */
  private async troubled(taskIds: string[]): Promise<void> {
    for (const id of taskIds) {
      const record = this.active.get(id);
      if (!record || record.apiTrouble || isTerminal(record.view.status)) continue;
      record.apiTrouble = true;
      await this.store.tasks.set(id, record);
      this.delivery.push(id);
    }
  }

  private async missed(taskId: string): Promise<void> {
    const record = this.active.get(taskId);
    if (!record) return;
    if (this.schedule.missed(taskId) >= (this.options.maxMisses ?? 5)) {
      await this.end(record, 'The Midjourney service no longer knows this task.');
    }
  }

  /** Marks tasks that stopped changing as stalled, and fails them after the hard timeout. */
  private async watchdog(now: number): Promise<void> {
    for (const record of this.active.values()) {
      if (record.message.interaction && now >= record.message.interaction.expiresAt) {
        // A dead interaction token is deleted, not kept in the store.
        record.message.interaction = undefined;
        await this.store.tasks.set(record.taskId, record);
      }
      if (isTerminal(record.view.status)) continue;
      if (record.view.status === 'MODAL') {
        // Waiting for the member's prompt is not the API being slow: the clock starts when the wait began.
        if (now - record.lastChangeAt > this.options.timeoutMs) {
          await this.end(record, `No prompt was sent within ${formatDuration(this.options.timeoutMs)}. Run the command again.`);
        }
      } else if (now - record.submittedAt > this.options.timeoutMs) {
        await this.end(record, `Timed out: no result after ${formatDuration(this.options.timeoutMs)}.`);
      } else if (record.phase === 'active' && now - record.lastChangeAt > this.options.stallAfterMs) {
        record.phase = 'stalled';
        await this.store.tasks.set(record.taskId, record);
        this.delivery.push(record.taskId);
      }
    }
  }

  private async end(record: TrackedTask, reason: string): Promise<void> {
    record.view = { ...record.view, status: 'FAILURE' };
    record.endReason = reason;
    await this.store.tasks.set(record.taskId, record);
    this.delivery.push(record.taskId, true);
    await this.ended(record);
  }

  private async ended(record: TrackedTask): Promise<void> {
    try {
      await this.options.onEnded?.(record);
    } catch (err) {
      this.logger.error({ err, taskId: record.taskId }, 'could not record the end of a task');
    }
  }

  /** Tasks of a member in a server that have not reached a final status (their concurrency). */
  inFlight(guildId: string, userId: string): number {
    let count = 0;
    for (const record of this.active.values()) {
      if (record.requesterId === userId && record.message.guildId === guildId && !isTerminal(record.view.status)) count += 1;
    }
    return count;
  }

  /** Delivery's report: the card shows this state. */
  private async delivered(record: TrackedTask, final: boolean): Promise<void> {
    if (!final) {
      await this.store.tasks.set(record.taskId, record);
      return;
    }
    await this.release(record, 'done');
  }

  /**
   * Tracking ends: the record is kept for RETENTION_DAYS (for /task, Seed and old buttons) without its
   * interaction token, and nothing of the task stays in memory.
   */
  private async release(record: TrackedTask, phase: 'done' | 'detached'): Promise<void> {
    record.phase = phase;
    record.message.interaction = undefined;
    record.expiresAt = this.clock() + this.options.retentionMs;
    await this.store.tasks.set(record.taskId, record, this.options.retentionMs);
    this.active.delete(record.taskId);
    this.schedule.delete(record.taskId);
    this.delivery.forget(record.taskId);
    await this.saveIndex();
  }

  private indexWrite: Promise<void> = Promise.resolve();
  /** The next index write, queued but not started: every change until it starts is in it. */
  private indexQueued: Promise<void> | undefined;

  /**
   * The in-flight index, written in order so a slow write never overwrites a newer one, and coalesced: a
   * thousand tasks ending together cost two writes, not a thousand (each holding up its card's worker).
   * Resolves once a write that includes the caller's change is done.
   */
  private saveIndex(): Promise<void> {
    if (this.indexQueued) return this.indexQueued;
    const write = this.indexWrite.then(async () => {
      this.indexQueued = undefined;
      await this.store.inflight.set('ids', [...this.active.keys()]).catch((err: unknown) => {
        this.logger.error({ err }, 'could not save the in-flight index');
      });
    });
    this.indexQueued = write;
    this.indexWrite = write;
    return write;
  }
}
