import type { Logger } from '../logger';
import type { MjClient, TaskMemo } from '../mj/client';
import { isMjApiError } from '../mj/errors';
import type { MjTask } from '../mj/schemas';
import type { Store } from '../store';

export interface PollResult {
  found: Map<string, MjTask>;
  /** Ids the API answered for and does not know. */
  missing: string[];
  /** Ids not answered this round (API trouble): try again later. */
  failed: string[];
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}

/**
 * Asks the API about many tasks at once with list-by-condition, in chunks. Where the API lacks
 * that endpoint it falls back to one fetch per task, and remembers that per API base URL.
 */
export class TaskPoller {
  private batchSupported: boolean | undefined;
  /**
   * The last parse of each task polled, by id: unchanged answers are not parsed again (client.ts, listTasks).
   * Kept until the tracker forgets the task, not per poll: a poll carries only the tasks due at that tick.
   */
  private readonly memo: TaskMemo = new Map();
  private readonly metaKey: string;

  constructor(
    private readonly mj: MjClient,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly batchSize = 100,
    private readonly fetchConcurrency = 8,
  ) {
    this.metaKey = `list-by-condition:${mj.options.baseUrl}`;
  }

  async load(): Promise<void> {
    const known = await this.store.meta.get(this.metaKey);
    if (typeof known === 'boolean') this.batchSupported = known;
  }

  async poll(ids: string[]): Promise<PollResult> {
    const result: PollResult = { found: new Map(), missing: [], failed: [] };
    let single = ids;
    if (this.batchSupported !== false && ids.length > 0) {
      single = [];
      const chunks: string[][] = [];
      for (let i = 0; i < ids.length; i += this.batchSize) chunks.push(ids.slice(i, i + this.batchSize));
      await inParallel(chunks, 4, async (chunk) => {
        try {
          const tasks = await this.mj.listTasks(chunk, this.memo);
          for (const task of tasks) result.found.set(task.id, task);
          // Unknown ids are omitted from a batch; some resellers list only some tasks: ask those one by one.
          single.push(...chunk.filter((id) => !result.found.has(id)));
          if (this.batchSupported === undefined) await this.remember(true);
        } catch (error) {
          if (isMjApiError(error) && error.kind === 'unsupported' && this.batchSupported !== true) {
            if (this.batchSupported !== false) {
              this.logger.info('the API has no list-by-condition: polling task by task');
              await this.remember(false);
            }
            single.push(...chunk);
          } else {
            result.failed.push(...chunk);
            this.logger.warn({ err: error, tasks: chunk.length }, 'batch poll failed');
          }
        }
      });
    }
    await inParallel(single, this.fetchConcurrency, async (id) => {
      try {
        const task = await this.mj.fetchTask(id, this.memo);
        if (task) result.found.set(id, task);
        else result.missing.push(id);
      } catch (error) {
        result.failed.push(id);
        this.logger.debug({ err: error, taskId: id }, 'fetch failed');
      }
    });
    return result;
  }

  /** The task is no longer polled here (finished, or another process owns it): its last parse goes. */
  forget(taskId: string): void {
    this.memo.delete(taskId);
  }

  private async remember(supported: boolean): Promise<void> {
    this.batchSupported = supported;
    await this.store.meta.set(this.metaKey, supported);
  }
}
