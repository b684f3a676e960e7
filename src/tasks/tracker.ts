import type { Locale } from '../i18n';
import type { Logger } from '../logger';
import type { Upstreams } from '../mj/upstreams';
import type { MjTask } from '../mj/schemas';
import type { Downloader } from '../net/downloader';
import type { RenderedCard, RenderOptions } from '../render/card';
import { isFinal } from '../render/state';
import { unexpired, type Lifecycle, type Store, type TrackedTask } from '../store';
import { gaveUp, nextState, stateOfView, type StateEvent } from './card-state';
import { CardDelivery, type CardReport } from './delivery';
import { Fleet } from './fleet';
import { HintBatcher } from './hints';
import { UpstreamPolls } from './upstream-polls';
import type { Publisher } from './publisher';
import { PollSchedule } from './schedule';
import { rank, viewChanged, viewFromTask } from './view';
import { overdue, tokenExpired } from './watchdog';

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
  /** A task reached its final state (quotas refund failures); may be told again after a restart. */
  onEnded?: (record: TrackedTask) => Promise<void>;
  /** How long this process's ownership of a task lasts unless renewed (LEASE_MS): another process takes over after. */
  leaseMs?: number;
  /** The Discord shards this process serves (for the fleet's view in /healthz). */
  shards?: number[];
  render?: (task: TrackedTask) => RenderOptions;
  /** The one clock of everything in src/tasks (tests move it forward). */
  clock: () => number;
  /** From a change the bot saw at the API to the card edit that shows it (ms), for the metrics. */
  cardLag?: (ms: number) => void;
}

/** A task the API just accepted, as the start path describes it: the tracker gives it its first state. */
export type NewTask = Omit<TrackedTask, 'state' | 'lifecycle'>;

/**
 * The task state machine: follows every task in flight this process owns (fleet.ts keeps which: leases,
 * takeovers, heartbeat), with one scheduler. Batched polls, which notifyHook callbacks only hasten (hints.ts), and the watchdog (watchdog.ts) make
 * events; `change` turns each into the card's next state (card-state.ts) and writes it; card delivery
 * (delivery.ts) brings each card up to date and reports back. Only the tracker writes task records. Outside
 * src/tasks it is reached through its verbs (track, find, preview, tracking, inFlight, idle, promptSent), never
 * its parts.
 *
 * A task's end, in up to three steps (the end verbs): `settle` (its state became final: its member's slot is given
 * back, the quotas hear of it), `release` (tracking ends: delivered or detached, the record kept for
 * RETENTION_DAYS), `unload` (this process forgets it; alone when another process took it over).
 */
export class Tracker {
  /** The tasks this process follows, by id: the records it changes and writes. */
  private readonly active = new Map<string, TrackedTask>();
  private readonly schedule: PollSchedule;
  private readonly delivery: CardDelivery;
  private readonly poller: UpstreamPolls;
  private readonly fleet: Fleet;
  private readonly hints: HintBatcher;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  /** The store could not be reached lately (said once per outage). */
  private fleetUnreachable = false;
  /** Records written while the store was away, waiting for it (the newest version of each). */
  private readonly unsaved = new Map<string, { record: TrackedTask; ttlMs: number | undefined }>();
  /** Tasks whose end could not leave the fleet's registries while the store was away. */
  private readonly unleft = new Map<string, TrackedTask>();
  /** When each card's newest change was seen and not shown yet (for cardLag). */
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly upstreams: Upstreams,
    private readonly store: Store,
    publisher: Publisher,
    private readonly logger: Logger,
    private readonly options: TrackerOptions,
  ) {
    this.clock = options.clock;
    this.poller = new UpstreamPolls(upstreams, store, logger, options.batchSize ?? 100, { clock: this.clock });
    this.schedule = new PollSchedule(options.pollIntervalMs, (taskId) => upstreams.ref(taskId).upstream.name);
    const owner = { owned: () => [...this.active.keys()], adopt: (ids: readonly string[]) => this.adopt(ids), letGo: (taskId: string) => this.unload(taskId) };
    this.fleet = new Fleet(owner, store.coordinator, logger, { leaseMs: options.leaseMs ?? 15_000, shards: options.shards ?? [], clock: this.clock });
    this.hints = new HintBatcher(this.schedule, (due) => this.pollAndIngest(due), logger);
    const host = {
      record: (taskId: string) => this.active.get(taskId),
      report: (record: TrackedTask, report: CardReport) => this.cardReport(record, report),
      mayEdit: () => this.fleet.mayEdit(),
    };
    this.delivery = new CardDelivery(host, store, publisher, logger, { ...options, clock: this.clock });
    store.coordinator.onHint((taskId) => this.hints.hint(taskId));
  }

  /** Tasks this process follows now. */
  get inFlight(): number {
    return this.active.size;
  }

  /** Tasks this process follows, counted by `group` of their ids (per API, for /healthz). */
  inFlightPer(group: (taskId: string) => string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const taskId of this.active.keys()) counts.set(group(taskId), (counts.get(group(taskId)) ?? 0) + 1);
    return counts;
  }

  tracking(taskId: string): boolean {
    return this.active.has(taskId);
  }

  /** A task's record: the one this process follows, else the stored one (none once its retention ended). */
  async find(taskId: string): Promise<TrackedTask | undefined> {
    return this.active.get(taskId) ?? unexpired(await this.store.tasks.get(taskId), this.clock());
  }

  /**
   * A task's card as it would be drawn now, for /task: in `locale`, brought up to date by the API unless it is
   * final (whichever process follows it), with links instead of files, its button targets saved, `stars` on its ⭐.
   * Writes no record.
   */
  async preview(record: TrackedTask, locale: Locale, stars = 0): Promise<RenderedCard> {
    const current: TrackedTask = { ...structuredClone(record), locale };
    if (!isFinal(current.state) || current.lifecycle === 'detached') {
      const { upstream, id } = this.upstreams.ref(record.taskId);
      const fresh = await upstream.client.fetchTask(id).catch(() => undefined);
      if (fresh) {
        const view = viewFromTask(fresh, current.view);
        current.state = nextState(current, { kind: 'answered', view });
        current.view = view;
      }
    }
    return this.delivery.preview(current, stars);
  }

  /** Resolves when no card edit is queued or running (or after `timeoutMs`). */
  idle(timeoutMs?: number): Promise<void> {
    return this.delivery.idle(timeoutMs);
  }

  /** The member sent the prompt a task waited for (Edit prompt): its card shows it (and its English) from the next change. */
  promptSent(taskId: string, prompt: string, sent: string): void {
    const record = this.active.get(taskId);
    if (!record) return;
    record.prompt = prompt;
    record.sentPrompt = sent === prompt ? undefined : sent;
  }

  /** Starts following a task the API just accepted (this process owns it); its card is drawn at once. */
  async track(task: NewTask): Promise<void> {
    const record: TrackedTask = { ...task, state: stateOfView(task.view), lifecycle: 'tracked' };
    this.active.set(record.taskId, record);
    this.schedule.add(record.taskId, this.clock());
    await this.save(record);
    await this.fleet.join(record);
    this.delivery.push(record.taskId, isFinal(record.state));
  }

  /**
   * Takes up the unfinished tasks this process may own, as if the bot had never stopped: alone, every task in
   * flight; in a fleet, those whose owner is gone (the others are taken over as their leases end).
   */
  async resume(): Promise<number> {
    await this.poller.load();
    await this.adopt(await this.fleet.claimable());
    return this.active.size;
  }

  /** Fine enough that a task is polled close to its period, coarse enough to batch many tasks per tick. */
  private get tickMs(): number {
    return Math.max(50, Math.min(250, Math.floor(this.options.pollIntervalMs / 10)));
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
    this.hints.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.hints.stop();
    await this.delivery.stop();
  }

  /** Takes up tasks from the store: after a restart, or from a process of the fleet that died. */
  private async adopt(ids: readonly string[]): Promise<void> {
    const records = await Promise.all(ids.filter((id) => !this.active.has(id)).map((id) => this.store.tasks.get(id)));
    const now = this.clock();
    for (const record of records) {
      if (!record) continue;
      // Tracking ended, but the process stopped before the fleet's registry heard of it.
      if (record.lifecycle !== 'tracked') {
        await this.fleet.leave(record);
        continue;
      }
      this.active.set(record.taskId, record);
      this.schedule.add(record.taskId, now, true);
      if (isFinal(record.state)) {
        this.delivery.push(record.taskId, true);
        await this.settle(record);
      } else {
        await this.fleet.running(record, true);
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.keepFleet();
      const now = this.clock();
      await this.watch(now);
      const due = this.schedule.takeDue(now, this.options.batchSize ?? 100);
      if (due.length) await this.pollAndIngest(due);
    } catch (error) {
      this.logger.error({ err: error }, 'poll tick failed');
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Leases, takeovers and the heartbeat. While the store cannot be reached (Redis down or restarting) this process
   * goes on polling the tasks it holds, so their cards keep updating; it says so once, and once when it is back.
   */
  private async keepFleet(): Promise<void> {
    try {
      await this.fleet.keep();
      await this.catchUp();
      if (this.fleetUnreachable) this.logger.info('the store answers again: what waited is written, leases and takeovers resume');
      this.fleetUnreachable = false;
    } catch (err) {
      this.storeTrouble(err);
    }
  }

  /** Dead interaction tokens are deleted; what hangs is stalled, or failed after the hard timeout. */
  private async watch(now: number): Promise<void> {
    for (const record of this.active.values()) {
      if (tokenExpired(record, now)) {
        record.message.interaction = undefined;
        await this.save(record);
      }
      const event = overdue(record, now, this.options);
      if (event) await this.change(record, event);
    }
  }

  private async pollAndIngest(due: string[]): Promise<void> {
    const { found, missing, failed } = await this.poller.poll(due);
    await Promise.all([...found].map(([taskId, task]) => this.ingest(taskId, task)));
    for (const taskId of missing) {
      const record = this.active.get(taskId);
      if (record && this.schedule.missed(taskId) >= (this.options.maxMisses ?? 5)) await this.change(record, gaveUp(record, (t) => t.card.vanished));
    }
    for (const taskId of failed) {
      const record = this.active.get(taskId);
      if (record) await this.change(record, { kind: 'unanswered' });
    }
  }

  /** A poll's report of a task. Unknown ids are ignored; stale reports too (a card never moves backwards). */
  private async ingest(taskId: string, task: MjTask): Promise<void> {
    const record = this.active.get(taskId);
    if (!record || isFinal(record.state)) return;
    if (rank(task.status, task.progress) < rank(record.view.status, record.view.progress)) return;
    await this.change(record, { kind: 'answered', view: viewFromTask(task, record.view) });
  }

  /**
   * The one place a task's state changes, to what nextState says. The card is pushed when it shows something new;
   * a final state settles the task's end. A new state is written at once, except after an answer: then only a
   * new status is, and a new percentage with the card edit that shows it (cardReport), so a progress step costs
   * one write, not two (after a crash the next poll brings it back anyway).
   */
  private async change(record: TrackedTask, event: StateEvent): Promise<void> {
    const state = nextState(record, event);
    const moved = state !== record.state;
    let shows = moved;
    let write = moved;
    if (event.kind === 'answered') {
      const { view } = event;
      const now = this.clock();
      // Once its prompt is sent, a task that waited in MODAL starts over: the timeout counts from here.
      if (record.view.status === 'MODAL' && view.status !== 'MODAL') record.submittedAt = now;
      shows = moved || viewChanged(record.view, view);
      write = view.status !== record.view.status;
      if (shows) record.lastChangeAt = now;
      record.view = view;
      this.schedule.answered(record.taskId, now, { status: view.status, stalled: state.kind === 'stalled' });
    }
    record.state = state;
    if (write) await this.save(record);
    if (shows) {
      if (!this.seenAt.has(record.taskId)) this.seenAt.set(record.taskId, this.clock());
      this.delivery.push(record.taskId, isFinal(state));
    }
    if (moved && isFinal(state)) await this.settle(record);
  }

  /** Delivery's report on a card: the record follows (delivery changes none). */
  private async cardReport(record: TrackedTask, report: CardReport): Promise<void> {
    switch (report.kind) {
      case 'results':
        record.files = report.files;
        record.blockedUrls = report.blocked.length ? report.blocked : undefined;
        return;
      case 'files-refused':
        record.files = [];
        record.filesRefused = true;
        return;
      case 'buttons':
        record.buttonSlots = report.slots;
        await this.save(record);
        return;
      case 'token-expired':
        if (!record.message.interaction) return;
        // How the card may be edited is written as soon as it changes (a restart must not try the dead token).
        record.message.interaction = undefined;
        await this.save(record);
        return;
      case 'shown':
        // The card's message is written as soon as it moves (a restart needs it); a final card's with its release.
        if (report.messageId !== undefined && report.messageId !== record.message.messageId) {
          record.message.messageId = report.messageId;
          await this.store.messages.set(report.messageId, record.taskId).catch((err: unknown) => this.storeTrouble(err));
          if (!report.final) await this.save(record);
        }
        record.renderedHash = report.hash;
        this.shown(record.taskId);
        if (report.final) await this.release(record, 'delivered');
        return;
      case 'lost':
        this.logger.info({ taskId: record.taskId }, report.why);
        await this.release(record, 'detached');
    }
  }

  private shown(taskId: string): void {
    const seen = this.seenAt.get(taskId);
    if (seen === undefined) return;
    this.seenAt.delete(taskId);
    this.options.cardLag?.(this.clock() - seen);
  }

  /** End verb 1: the task's state became final; its member's slot is given back and the quotas hear of it. */
  private async settle(record: TrackedTask): Promise<void> {
    try {
      await this.fleet.running(record, false);
      await this.options.onEnded?.(record);
    } catch (err) {
      this.logger.error({ err, taskId: record.taskId }, 'could not record the end of a task');
    }
  }

  /** End verb 2: tracking ends; the record stays RETENTION_DAYS, without its token (/task, Seed, old buttons). */
  private async release(record: TrackedTask, lifecycle: Exclude<Lifecycle, 'tracked'>): Promise<void> {
    record.lifecycle = lifecycle;
    record.message.interaction = undefined;
    record.expiresAt = this.clock() + this.options.retentionMs;
    await this.save(record, this.options.retentionMs);
    this.unload(record.taskId);
    try {
      await this.fleet.leave(record);
    } catch (err) {
      // Out of the fleet's registries once the store is back: its member's slot must not stay taken.
      this.unleft.set(record.taskId, record);
      this.storeTrouble(err);
    }
  }

  /**
   * Writes a task's record. While the store cannot be reached (Redis down or restarting) the newest version waits
   * here and is written once the store answers again (keepFleet): tracking goes on meanwhile, from memory.
   */
  private async save(record: TrackedTask, ttlMs?: number): Promise<void> {
    try {
      await this.store.tasks.set(record.taskId, record, ttlMs);
      this.unsaved.delete(record.taskId);
    } catch (err) {
      this.unsaved.set(record.taskId, { record, ttlMs });
      this.storeTrouble(err);
    }
  }

  /** What could not be written or left while the store was away, now that it answers. */
  private async catchUp(): Promise<void> {
    for (const [taskId, { record, ttlMs }] of this.unsaved) {
      await this.store.tasks.set(taskId, record, ttlMs);
      this.unsaved.delete(taskId);
    }
    for (const [taskId, record] of this.unleft) {
      await this.fleet.leave(record);
      this.unleft.delete(taskId);
    }
  }

  private storeTrouble(err: unknown): void {
    if (!this.fleetUnreachable) this.logger.warn({ err }, 'the store cannot be reached: tracking goes on from memory, writes wait until it is back');
    this.fleetUnreachable = true;
  }

  /** End verb 3: nothing of the task stays in this process (its record, schedule, card queue, last poll); nothing stored changes. */
  private unload(taskId: string): void {
    this.active.delete(taskId);
    this.schedule.delete(taskId);
    this.delivery.forget(taskId);
    this.poller.forget(taskId);
    this.seenAt.delete(taskId);
  }
}
