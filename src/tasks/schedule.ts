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
}

/** Phases a stalled or called-back task waits between polls. */
const SLOW_PHASES = 4;

/**
 * When each task in flight is polled. Polls are aligned on a shared phase: time is cut into periods of
 * POLL_INTERVAL_MS (from the epoch, so every process of a fleet cuts it the same way), and every task due in a
 * period is asked about at its start, together: N tasks cost ⌈N/100⌉ list-by-condition requests a period, at any
 * load. A task is due every period while it runs or waits, every 4th while it is stalled or the API calls back for
 * it; a callback makes its task due at once (`hint`).
 */
export class PollSchedule {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly periodMs: number) {}

  phaseOf(at: number): number {
    return Math.floor(at / this.periodMs);
  }

  /** Follows a task; `now`: due in the current period (a resumed task), else from the next one (just submitted). */
  add(taskId: string, at: number, now = false): void {
    this.entries.set(taskId, { nextPhase: this.phaseOf(at) + (now ? 0 : 1), hinted: false, misses: 0, hooked: false });
  }

  delete(taskId: string): void {
    this.entries.delete(taskId);
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
   * The tasks due at `now`. A period's tasks are polled in groups of `batch` (one request each), spread evenly over
   * the period (group k at k/groups of it): ⌈N/batch⌉ requests a period, with no burst of answers and edits at its
   * start. Each is due again from the next period until its answer says otherwise.
   */
  takeDue(now: number, batch = 100): string[] {
    const phase = this.phaseOf(now);
    const into = (now - phase * this.periodMs) / this.periodMs;
    const groups = Math.max(1, Math.ceil(this.entries.size / batch));
    const due: string[] = [];
    let rank = 0;
    for (const [taskId, entry] of this.entries) {
      const group = Math.floor(rank / batch);
      rank += 1;
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
