import { RateGate } from './rate-gate';

export interface EditQueueOptions {
  /** Edits in flight at once. */
  concurrency: number;
  /** Edits started per second across all messages (Discord's global limit is 50/s for bot-token routes). */
  perSecond: number;
}

/**
 * One queue for every message edit. It holds task ids, not payloads: the worker renders the
 * task's latest state when its turn comes, so bursts of progress coalesce (the latest state wins).
 * Final states go first; one edit per task is in flight at a time, so a slow message never blocks others.
 */
export class EditQueue {
  private readonly urgent = new Set<string>();
  private readonly normal = new Set<string>();
  private readonly running = new Set<string>();
  private readonly again = new Map<string, boolean>();
  private readonly gate: RateGate;
  private idleWaiters: Array<() => void> = [];
  private pumping = false;
  private stopped = false;

  constructor(
    private readonly worker: (taskId: string) => Promise<void>,
    private readonly options: EditQueueOptions,
  ) {
    this.gate = new RateGate(options.perSecond);
  }

  push(taskId: string, final = false): void {
    if (this.stopped) return;
    if (this.running.has(taskId)) {
      this.again.set(taskId, final || (this.again.get(taskId) ?? false));
      return;
    }
    if (final) {
      this.normal.delete(taskId);
      this.urgent.add(taskId);
    } else if (!this.urgent.has(taskId)) {
      this.normal.add(taskId);
    }
    void this.pump();
  }

  get size(): number {
    return this.urgent.size + this.normal.size + this.running.size;
  }

  private next(): string | undefined {
    for (const set of [this.urgent, this.normal]) {
      for (const id of set) {
        set.delete(id);
        return id;
      }
    }
    return undefined;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.running.size < this.options.concurrency) {
        const taskId = this.next();
        if (!taskId) break;
        // Counted as running while it waits for the gate, so idle() never misses an edit about to start.
        this.running.add(taskId);
        await this.gate.take();
        void this.run(taskId);
      }
    } finally {
      this.pumping = false;
    }
    this.checkIdle();
  }

  private async run(taskId: string): Promise<void> {
    try {
      await this.worker(taskId);
    } finally {
      this.running.delete(taskId);
      const again = this.again.get(taskId);
      if (again !== undefined) {
        this.again.delete(taskId);
        this.push(taskId, again);
      }
      void this.pump();
    }
  }

  private checkIdle(): void {
    if (this.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves when nothing is queued or running (or after `timeoutMs`). */
  async idle(timeoutMs = 10_000): Promise<void> {
    if (this.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
  }

  stop(): void {
    this.stopped = true;
    this.urgent.clear();
    this.normal.clear();
  }
}
