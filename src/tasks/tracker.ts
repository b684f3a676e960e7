import type { Logger } from '../logger';
import type { MjClient } from '../mj/client';
import type { MjTask } from '../mj/schemas';
import type { Downloader } from '../net/downloader';
import type { RenderOptions } from '../render/card';
import type { Store, TrackedTask } from '../store';
import { messagesFor, type Text } from '../i18n';
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
  /** How long this process's ownership of a task lasts unless renewed (LEASE_MS): another process takes over after. */
  leaseMs?: number;
  /** The Discord shards this process serves (for the fleet's view in /healthz). */
  shards?: number[];
  render?: (task: TrackedTask) => RenderOptions;
  clock?: () => number;
}

/** Callbacks this close together are answered by one batched poll. */
const HINT_BATCH_MS = 20;
/** How often this process tells the fleet it lives (its heartbeat lives twice as long). */
const BEAT_MS = 5_000;

/**
 * The task state machine: follows every task in flight this process owns, with one scheduler. Batched polls
 * (which notifyHook callbacks only hasten) update each task's state, which is written to the store at every change;
 * the stall and timeout watchdog ends what hangs; card delivery (delivery.ts) brings each card up to date. Only the
 * tracker changes its records. With several processes on one store each task has one owner (a lease renewed
 * every tick, see src/store/coordinator.ts); a process that dies has its tasks taken over by the others.
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
  private hintPolling = false;
  /** A hint arrived while hinted tasks were being polled: poll again as soon as that ends. */
  private hintedAgain = false;
  private readonly clock: () => number;
  private lastBeat = 0;

  constructor(
    mj: MjClient,
    private readonly store: Store,
    publisher: Publisher,
    private readonly logger: Logger,
    private readonly options: TrackerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.poller = new TaskPoller(mj, store, logger, options.batchSize ?? 100, { clock: this.clock });
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
    store.coordinator.onHint((taskId) => this.hint(taskId));
  }

  private get coordinator() {
    return this.store.coordinator;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 15_000;
  }

  /**
   * Loads every unfinished task this process may own and drives it on, as if the bot had never stopped: alone,
   * every task in flight; in a fleet, those whose owner is gone (the others are taken over as their leases end).
   */
  async resume(): Promise<number> {
    await this.poller.load();
    // Alone: every task in flight. In a fleet: those without a live owner (the rest are taken as their leases end).
    await this.adopt([...(await this.coordinator.hold(await this.coordinator.inFlight(), this.leaseMs))]);
    return this.active.size;
  }

  /** Takes up tasks from the store: after a restart, or from a process of the fleet that died. */
  private async adopt(ids: readonly string[]): Promise<void> {
    const records = await Promise.all(ids.filter((id) => !this.active.has(id)).map((id) => this.store.tasks.get(id)));
    const now = this.clock();
    for (const record of records) {
      if (!record) continue;
      if (record.phase === 'done' || record.phase === 'detached') {
        await this.forgetInFlight(record);
        continue;
      }
      this.active.set(record.taskId, record);
      this.schedule.add(record.taskId, now, true);
      if (isTerminal(record.view.status)) {
        this.delivery.push(record.taskId, true);
        await this.ended(record);
      } else {
        await this.coordinator.memberTask(record.message.guildId, record.requesterId, record.taskId, true);
      }
    }
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

  /** Starts following a freshly submitted task (this process owns it); its card is drawn at once. */
  async track(record: TrackedTask): Promise<void> {
    this.active.set(record.taskId, record);
    this.schedule.add(record.taskId, this.clock());
    await this.store.tasks.set(record.taskId, record);
    await this.coordinator.hold([record.taskId], this.leaseMs);
    await this.coordinator.addInFlight(record.taskId);
    await this.coordinator.memberTask(record.message.guildId, record.requesterId, record.taskId, true);
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
    if (this.hintPolling) this.hintedAgain = true;
    else this.pollSoon();
  }

  /** The hinted tasks polled within HINT_BATCH_MS (while the tracker runs), apart from the periodic polls. */
  private pollSoon(): void {
    if (!this.timer) return;
    this.hintTimer ??= setTimeout(() => {
      this.hintTimer = undefined;
      void this.pollHinted();
    }, HINT_BATCH_MS);
  }

  private async pollHinted(): Promise<void> {
    this.hintPolling = true;
    try {
      const due = this.schedule.takeHinted();
      if (due.length) await this.pollAndIngest(due);
    } catch (error) {
      this.logger.error({ err: error }, 'hinted poll failed');
    } finally {
      this.hintPolling = false;
      if (this.hintedAgain) {
        this.hintedAgain = false;
        this.pollSoon();
      }
    }
  }

  private async pollAndIngest(due: string[]): Promise<void> {
    const { found, missing, failed } = await this.poller.poll(due);
    await Promise.all([...found.values()].map((task) => this.ingest(task)));
    for (const id of missing) await this.missed(id);
    await this.troubled(failed);
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
    const statusChanged = view.status !== record.view.status;
    record.apiTrouble = undefined;
    record.view = view;
    if (changed) {
      record.lastChangeAt = now;
      if (record.phase === 'stalled') record.phase = 'active';
    }
    this.schedule.answered(task.id, now, { status: view.status, stalled: record.phase === 'stalled' });
    if (changed || isTerminal(view.status)) {
      // A new status is written now; a new percentage with the card edit that shows it (delivered()), so a
      // progress step costs one write, not two. After a crash the next poll brings the percentage back anyway.
      if (statusChanged || isTerminal(view.status)) await this.store.tasks.set(record.taskId, record);
      this.delivery.push(record.taskId, isTerminal(view.status));
    }
    if (isTerminal(view.status)) await this.ended(record);
    return changed;
  }

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.keepOwnership();
      const now = this.clock();
      await this.watchdog(now);
      const due = this.schedule.takeDue(now, this.options.batchSize ?? 100);
      if (due.length) await this.pollAndIngest(due);
    } catch (error) {
      this.logger.error({ err: error }, 'poll tick failed');
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Renews this process's leases (a task another process took is dropped: it edits the card now), takes the
   * tasks of processes that died, and tells the fleet this one lives.
   */
  private async keepOwnership(): Promise<void> {
    const mine = [...this.active.keys()];
    const held = await this.coordinator.hold(mine, this.leaseMs);
    for (const taskId of mine) {
      if (held.has(taskId)) continue;
      this.logger.warn({ taskId }, 'another process owns this task now: it stops here');
      this.drop(taskId);
    }
    const orphans = await this.coordinator.takeOrphans(this.leaseMs);
    if (orphans.length) {
      this.logger.info({ tasks: orphans.length }, 'taking over tasks whose process stopped');
      await this.adopt(orphans);
    }
    // A heartbeat outlives its process by one lease at most, like its tasks.
    const now = Date.now();
    if (now - this.lastBeat >= Math.min(BEAT_MS, this.leaseMs / 3)) {
      this.lastBeat = now;
      await this.coordinator.beat({ shards: this.options.shards ?? [], owned: this.active.size }, this.leaseMs);
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
      await this.end(record, (t) => t.card.vanished);
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
          await this.end(record, (t) => t.card.noPromptSent(this.options.timeoutMs));
        }
      } else if (now - record.submittedAt > this.options.timeoutMs) {
        await this.end(record, (t) => t.card.timedOut(this.options.timeoutMs));
      } else if (record.phase === 'active' && now - record.lastChangeAt > this.options.stallAfterMs) {
        record.phase = 'stalled';
        await this.store.tasks.set(record.taskId, record);
        this.delivery.push(record.taskId);
      }
    }
  }

  /** Ends a task the API gave no end for; the reason is written in the card's language. */
  private async end(record: TrackedTask, reason: Text): Promise<void> {
    record.view = { ...record.view, status: 'FAILURE' };
    record.endReason = reason(messagesFor(record.locale ?? 'en'));
    await this.store.tasks.set(record.taskId, record);
    this.delivery.push(record.taskId, true);
    await this.ended(record);
  }

  private async ended(record: TrackedTask): Promise<void> {
    try {
      await this.coordinator.memberTask(record.message.guildId, record.requesterId, record.taskId, false);
      await this.options.onEnded?.(record);
    } catch (err) {
      this.logger.error({ err, taskId: record.taskId }, 'could not record the end of a task');
    }
  }

  /**
   * Delivery's report: the card shows this state. A progress edit is not written (statuses are, in ingest):
   * after a restart the next poll brings the percentage back, at the cost of one edit at most.
   */
  private async delivered(record: TrackedTask, final: boolean): Promise<void> {
    if (final) await this.release(record, 'done');
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
    this.drop(record.taskId);
    await this.forgetInFlight(record);
  }

  /** Nothing of the task stays in this process: its record, its place in the schedule, its card's queue, its last poll. */
  private drop(taskId: string): void {
    this.active.delete(taskId);
    this.schedule.delete(taskId);
    this.delivery.forget(taskId);
    this.poller.forget(taskId);
  }

  private async forgetInFlight(record: TrackedTask): Promise<void> {
    await this.coordinator.removeInFlight(record.taskId);
    await this.coordinator.memberTask(record.message.guildId, record.requesterId, record.taskId, false);
    await this.coordinator.release([record.taskId]);
  }
}
