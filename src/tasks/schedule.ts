import type { TaskStatus } from '../mj/schemas';

/** What decides how soon a task is polled again. */
export interface PollState {
  status: TaskStatus;
  stalled: boolean;
}

interface Entry {
  nextPollAt: number;
  misses: number;
  /** The API calls back for this task: polling is only a safety net. */
  hooked: boolean;
}

/**
 * When each task in flight is polled next. On the period while a task makes progress, 1.5× while it is queued,
 * 4× while it is stalled or the API calls back for it (callbacks then make it due at once: `hint`).
 */
export class PollSchedule {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly periodMs: number) {}

  /** Follows a task, first polled at `at`. */
  add(taskId: string, at: number): void {
    this.entries.set(taskId, { nextPollAt: at, misses: 0, hooked: false });
  }

  delete(taskId: string): void {
    this.entries.delete(taskId);
  }

  has(taskId: string): boolean {
    return this.entries.has(taskId);
  }

  /** A callback named the task: due now, and from then on polled as a safety net only. */
  hint(taskId: string): boolean {
    const entry = this.entries.get(taskId);
    if (!entry) return false;
    entry.hooked = true;
    entry.nextPollAt = 0;
    return true;
  }

  /** The tasks due by `horizon`; they are not due again before `now` + one period (their answer reschedules them). */
  takeDue(now: number, horizon: number): string[] {
    const due: string[] = [];
    for (const [taskId, entry] of this.entries) {
      if (entry.nextPollAt > horizon) continue;
      due.push(taskId);
      entry.nextPollAt = now + this.periodMs;
    }
    return due;
  }

  /** The API answered for the task: next poll by how it is doing. */
  answered(taskId: string, now: number, state: PollState): void {
    const entry = this.entries.get(taskId);
    if (!entry) return;
    entry.misses = 0;
    entry.nextPollAt = now + this.delay(entry, state);
  }

  /** The API said it does not know the task; resolves to how many times in a row. */
  missed(taskId: string): number {
    const entry = this.entries.get(taskId);
    if (!entry) return 0;
    entry.misses += 1;
    return entry.misses;
  }

  private delay(entry: Entry, state: PollState): number {
    if (state.stalled || entry.hooked) return this.periodMs * 4;
    if (state.status === 'IN_PROGRESS') return this.periodMs;
    return Math.round(this.periodMs * 1.5);
  }
}
