import type { Logger } from '../logger';
import type { Coordinator } from '../store/coordinator';
import type { TrackedTask } from '../store/records';

/** How often this process tells the fleet it lives (its heartbeat lives twice as long). */
const BEAT_MS = 5_000;

export interface FleetOptions {
  /** How long this process's ownership of a task lasts unless renewed (LEASE_MS): another process takes over after. */
  leaseMs: number;
  /** The Discord shards this process serves (for the fleet's view in /healthz). */
  shards: number[];
  clock: () => number;
}

/** What the fleet needs from the task state machine (tracker.ts). */
export interface FleetHost {
  /** The ids of the tasks this process follows now. */
  owned(): string[];
  /** Takes up these tasks from the store: their process died, this one owns them now. */
  adopt(taskIds: readonly string[]): Promise<void>;
  /** Another process owns this task now (it edits the card): this one forgets it, touching nothing stored. */
  letGo(taskId: string): void;
}

/**
 * Which tasks in flight this process owns, among every process on one store (alone: all of them). Each task has
 * one owner through a lease renewed every tick (src/store/coordinator.ts); the tasks of a process that died are
 * taken over when their leases run out; a heartbeat tells the others, and /healthz, that this one lives. Keeps the
 * fleet-wide registries a task is in while in flight: the in-flight list (what a restart or a takeover resumes)
 * and its member's running tasks (their concurrency limit).
 */
export class Fleet {
  private lastBeat: number | undefined;
  /** When (performance.now()) the last renewal of this process's leases began: they last leaseMs from then. */
  private renewedAt: number | undefined;

  constructor(
    private readonly host: FleetHost,
    private readonly coordinator: Coordinator,
    private readonly logger: Logger,
    private readonly options: FleetOptions,
  ) {}

  /** A task this process just submitted: it owns it, and the task is in flight for the whole fleet. */
  async join(record: TrackedTask): Promise<void> {
    await this.coordinator.hold([record.taskId], this.options.leaseMs);
    await this.coordinator.addInFlight(record.taskId);
    await this.running(record, true);
  }

  /** The tasks in flight this process may take up at start: alone, all of them; in a fleet, those without a live owner. */
  async claimable(): Promise<string[]> {
    const started = performance.now();
    const held = await this.coordinator.hold(await this.coordinator.inFlight(), this.options.leaseMs);
    this.renewedAt = started;
    return [...held];
  }

  /**
   * Whether this process may edit its cards now. In a fleet, only while its leases surely last: from the start of
   * their last renewal, a lease less a margin for the request on its way. Past that (ticks stopped by a shutdown,
   * renewals failing while Redis is away, a loop stalled) another process may own the task, poll a newer state and
   * edit the card, and an edit from here would take the card backwards. Leases run in real time in Redis, hence
   * performance.now(), not the app's clock. One process alone owns everything: always.
   */
  mayEdit(): boolean {
    if (!this.coordinator.shared) return true;
    const { leaseMs } = this.options;
    return this.renewedAt !== undefined && performance.now() < this.renewedAt + leaseMs - Math.min(2_000, leaseMs / 4);
  }

  /** Whether the task counts against its member's tasks in flight (false once it has ended). */
  running(record: TrackedTask, running: boolean): Promise<void> {
    return this.coordinator.memberTask(record.message.guildId, record.requesterId, record.taskId, running);
  }

  /**
   * At every tick: renews this process's leases (a task another process took is let go: that one edits the card
   * now), adopts the tasks of processes that died, and tells the fleet this one lives.
   */
  async keep(): Promise<void> {
    const mine = this.host.owned();
    const started = performance.now();
    const held = await this.coordinator.hold(mine, this.options.leaseMs);
    this.renewedAt = started;
    for (const taskId of mine) {
      if (held.has(taskId)) continue;
      this.logger.warn({ taskId }, 'another process owns this task now: it stops here');
      this.host.letGo(taskId);
    }
    const orphans = await this.coordinator.takeOrphans(this.options.leaseMs);
    if (orphans.length) {
      // Which ones (the first hundred): a card's story across processes can be read from the logs.
      this.logger.info({ tasks: orphans.length, taskIds: orphans.slice(0, 100) }, 'taking over tasks whose process stopped');
      await this.host.adopt(orphans);
    }
    await this.beat();
  }

  /**
   * The heartbeat, with the tasks this process owns: at most every BEAT_MS, and thrice a lease, so that a heartbeat
   * outlives its process by one lease at most, like its tasks.
   */
  private async beat(): Promise<void> {
    const { leaseMs, shards, clock } = this.options;
    const now = clock();
    if (this.lastBeat !== undefined && now - this.lastBeat < Math.min(BEAT_MS, leaseMs / 3)) return;
    this.lastBeat = now;
    await this.coordinator.beat({ shards, owned: this.host.owned().length }, leaseMs);
  }

  /** The task leaves the fleet's registries (tracking ended): out of the in-flight list and its member's count, its lease given up. */
  async leave(record: TrackedTask): Promise<void> {
    await this.coordinator.removeInFlight(record.taskId);
    await this.running(record, false);
    await this.coordinator.release([record.taskId]);
  }
}
