import type { TaskStatus } from '../mj/schemas';

/** What decides how soon a task is polled again. */
export interface PollState {
  status: TaskStatus;
  stalled: boolean;
}

interface Entry {
  /** The first phase in which the task is due again. */
  nextPhase: number;
  /** A callback named it: due at once, whatever the phase. */
  hinted: boolean;
  misses: number;
  /** The API calls back for this task: polling is only a safety net. */
  hooked: boolean;
  /** The API that runs it: each API's tasks are grouped on their own (one request per group goes to one API). */
  lane: string;
}

/** Phases a stalled or called-back task waits between polls. */
const SLOW_PHASES = 4;

/**
 * When each task in flight is polled. Polls are aligned on a shared phase: time is cut into periods of
 * POLL_INTERVAL_MS (from the epoch, so every process of a fleet cuts it the same way), and every task due in a
 * period is asked about at its start, together: N tasks cost ⌈N/100⌉ list-by-condition requests a period, at any
 * load. A task is due every period while it runs or waits, every 4th while it is stalled or the API calls back for
 * it; a callback makes its task due at once (`hint`). With several APIs, each API's tasks are grouped apart: N tasks
 * on one API cost that API ⌈N/100⌉ requests a period, whatever the other APIs hold.
 */
export class PollSchedule {
  private readonly entries = new Map<string, Entry>();
  /** Tasks followed, by lane. */
  private readonly laneSizes = new Map<string, number>();

  constructor(
    private readonly periodMs: number,
    private readonly laneOf: (taskId: string) => string = () => '',
  ) {}

  phaseOf(at: number): number {
    return Math.floor(at / this.periodMs);
  }

  /** Follows a task; `now`: due in the current period (a resumed task), else from the next one (just submitted). */
  add(taskId: string, at: number, now = false): void {
    this.delete(taskId);
    const lane = this.laneOf(taskId);
    this.entries.set(taskId, { nextPhase: this.phaseOf(at) + (now ? 0 : 1), hinted: false, misses: 0, hooked: false, lane });
    this.laneSizes.set(lane, (this.laneSizes.get(lane) ?? 0) + 1);
  }

  delete(taskId: string): void {
    const entry = this.entries.get(taskId);
    if (!entry) return;
    this.entries.delete(taskId);
    const left = (this.laneSizes.get(entry.lane) ?? 1) - 1;
    if (left > 0) this.laneSizes.set(entry.lane, left);
    else this.laneSizes.delete(entry.lane);
  }

  /** A callback named the task: due now, and from then on polled as a safety net only. */
  hint(taskId: string): boolean {
    const entry = this.entries.get(taskId);
    if (!entry) return false;
    entry.hooked = true;
    entry.hinted = true;
    return true;
  }

  /**
   * The tasks due at `now`. Each lane's tasks are polled in groups of `batch` (one request each), spread evenly over
   * the period (group k at k/groups of it): ⌈N/batch⌉ requests a period per lane, with no burst of answers and edits
   * at its start. Each is due again from the next period until its answer says otherwise.
   */
  takeDue(now: number, batch = 100): string[] {
    const phase = this.phaseOf(now);
    const into = (now - phase * this.periodMs) / this.periodMs;
    const ranks = new Map<string, number>();
    const due: string[] = [];
    for (const [taskId, entry] of this.entries) {
      const rank = ranks.get(entry.lane) ?? 0;
      ranks.set(entry.lane, rank + 1);
      const group = Math.floor(rank / batch);
      const groups = Math.max(1, Math.ceil((this.laneSizes.get(entry.lane) ?? 1) / batch));
      if (!entry.hinted && (entry.nextPhase > phase || (entry.nextPhase === phase && into < group / groups))) continue;
      due.push(taskId);
      entry.hinted = false;
      entry.nextPhase = phase + 1;
    }
    return due;
  }

  /** Only the tasks a callback named (polled at once, apart from the period's groups). */
  takeHinted(): string[] {
    const due: string[] = [];
    for (const [taskId, entry] of this.entries) {
      if (!entry.hinted) continue;
      due.push(taskId);
      entry.hinted = false;
    }
    return due;
  }

  /** The API answered for the task: its next period by how it is doing. */
  answered(taskId: string, now: number, state: PollState): void {
    const entry = this.entries.get(taskId);
    if (!entry) return;
    entry.misses = 0;
    entry.nextPhase = this.phaseOf(now) + (state.stalled || entry.hooked ? SLOW_PHASES : 1);
  }

  /** The API said it does not know the task; resolves to how many times in a row. */
  missed(taskId: string): number {
    const entry = this.entries.get(taskId);
    if (!entry) return 0;
    entry.misses += 1;
    return entry.misses;
  }
}
