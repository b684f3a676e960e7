import type { Logger } from '../logger';
import type { PollSchedule } from './schedule';

/** Callbacks this close together are answered by one batched poll. */
const HINT_BATCH_MS = 20;

/**
 * notifyHook callbacks, batched: a callback makes its task due at once (the schedule's hint), and the tasks named
 * within HINT_BATCH_MS are polled together, apart from the periodic polls; callbacks arriving during that poll
 * make another one right after it. The callback's body is never read here: what the poll answers is what counts.
 */
export class HintBatcher {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** A hint arrived while hinted tasks were being polled: poll again as soon as that ends. */
  private again = false;
  private running = false;

  constructor(
    private readonly schedule: PollSchedule,
    private readonly poll: (taskIds: string[]) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Hints are acted on from now on (before, they only make their tasks due at the next periodic poll). */
  start(): void {
    this.running = true;
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A callback named this task; unknown ids (not followed by this process) are ignored. */
  hint(taskId: string): void {
    if (!this.schedule.hint(taskId)) return;
    if (this.polling) this.again = true;
    else this.soon();
  }

  private soon(): void {
    if (!this.running) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.pollHinted();
    }, HINT_BATCH_MS);
  }

  private async pollHinted(): Promise<void> {
    this.polling = true;
    try {
      const due = this.schedule.takeHinted();
      if (due.length) await this.poll(due);
    } catch (error) {
      this.logger.error({ err: error }, 'hinted poll failed');
    } finally {
      this.polling = false;
      if (this.again) {
        this.again = false;
        this.soon();
      }
    }
  }
}
