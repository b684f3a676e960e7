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

export interface TaskPollerOptions {
  /** Fetches in flight at once when tasks are asked about one by one. */
  fetchConcurrency?: number;
  /** While polling task by task, how often list-by-condition is tried again (one request with the due tasks). */
  probeIntervalMs?: number;
  clock?: () => number;
}

/** While list-by-condition is refused, it is tried again this often. */
const BATCH_PROBE_INTERVAL_MS = 10 * 60_000;

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
 * Whether a failed list-by-condition means "this API does not (or no longer) serve it to us", so that tasks must
 * be asked about one by one, rather than "not now", so that the same batch is sent again next round.
 *
 * The answer came from a live server and says no to this request, whatever we send again: the endpoint is
 * missing (404/405, an "unknown action" / "不支持" code, an answer that is not a list: 'unsupported'), forbidden
 * to us (403: a reseller refusing it for our plan), or our request is refused or unreadable ('validation',
 * 'not-found', 'failure', 'bad-response': the answer to list-by-condition is not tasks, and asking again will
 * not make it so). Fetching task by task is the baseline every API of the family serves, and batching is tried
 * again every probe interval, so taking a refusal for good costs at most some more requests for a while; taking
 * it for trouble would stall every task forever.
 *
 * Not a refusal: transient trouble (5xx, timeouts, connection refused, the circuit open: 'unavailable'; 429 or
 * code 30: 'busy'), and load or quota answers ('limit', 'queue-full'): the next round sends the same batch again,
 * and answering load with a hundred times the requests would only make it worse. Nor a 401: the API does not
 * accept our key at all, so fetches would be refused the same way, only a hundred times over.
 */
function refusesBatching(error: unknown): boolean {
  if (!isMjApiError(error)) return false;
  switch (error.kind) {
    case 'unavailable':
    case 'busy':
    case 'limit':
    case 'queue-full':
      return false;
    case 'auth':
      return error.httpStatus === 403;
    default:
      return true;
  }
}

/**
 * Asks the API about many tasks at once with list-by-condition, in chunks. Where the API lacks that endpoint, or
 * stops serving it (a proxy replaced behind the same URL, a reseller refusing it), it falls back to one fetch per
 * task at once (the refused chunk's tasks are fetched in the same poll), remembers that per API base URL, and
 * tries list-by-condition again every probe interval with one request: when that works, batching is back.
 */
export class TaskPoller {
  private batchSupported: boolean | undefined;
  /** While polling task by task: when list-by-condition is next tried again. */
  private nextProbeAt = 0;
  /**
   * The last parse of each task polled, by id: unchanged answers are not parsed again (client.ts, listTasks).
   * Kept until the tracker forgets the task, not per poll: a poll carries only the tasks due at that tick.
   */
  private readonly memo: TaskMemo = new Map();
  private readonly metaKey: string;
  private readonly fetchConcurrency: number;
  private readonly probeIntervalMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly mj: MjClient,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly batchSize = 100,
    options: TaskPollerOptions = {},
  ) {
    this.metaKey = `list-by-condition:${mj.options.baseUrl}`;
    this.fetchConcurrency = options.fetchConcurrency ?? 8;
    this.probeIntervalMs = options.probeIntervalMs ?? BATCH_PROBE_INTERVAL_MS;
    this.clock = options.clock ?? Date.now;
  }

  async load(): Promise<void> {
    const known = await this.store.meta.get(this.metaKey);
    if (typeof known === 'boolean') this.batchSupported = known;
    if (known === false) this.nextProbeAt = this.clock() + this.probeIntervalMs;
  }

  async poll(ids: string[]): Promise<PollResult> {
    const result: PollResult = { found: new Map(), missing: [], failed: [] };
    /** Ids to fetch one by one. */
    const single: string[] = [];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += this.batchSize) chunks.push(ids.slice(i, i + this.batchSize));
    let batched: string[][] = [];
    if (this.batchSupported !== false) {
      batched = chunks;
    } else if (chunks.length > 0 && this.clock() >= this.nextProbeAt) {
      // Task by task for a while: one list-by-condition, with the first chunk, tells whether batching is back.
      // The next probe is set at once, so that a poll running beside this one does not probe too.
      this.nextProbeAt = this.clock() + this.probeIntervalMs;
      const [probe, ...rest] = chunks as [string[], ...string[][]];
      if ((await this.batch(probe, result, single, true)) === 'served') batched = rest;
      else single.push(...rest.flat());
    } else {
      single.push(...ids);
    }
    await inParallel(batched, 4, async (chunk) => void (await this.batch(chunk, result, single, false)));

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

  /**
   * One list-by-condition request for `chunk`: its tasks go into `result`, the ids to fetch one by one into
   * `single`. `probing`: sent while polling task by task, to learn whether batching is back.
   */
  private async batch(chunk: string[], result: PollResult, single: string[], probing: boolean): Promise<'served' | 'refused' | 'failed'> {
    try {
      const tasks = await this.mj.listTasks(chunk, this.memo);
      for (const task of tasks) result.found.set(task.id, task);
      // Unknown ids are omitted from a batch; some resellers list only some tasks: ask those one by one.
      single.push(...chunk.filter((id) => !result.found.has(id)));
      if (probing && this.batchSupported === false) {
        this.logger.info('list-by-condition is served again: polling in batches');
        await this.remember(true);
      } else if (this.batchSupported === undefined) {
        await this.remember(true);
      }
      return 'served';
    } catch (error) {
      if (refusesBatching(error)) {
        this.nextProbeAt = this.clock() + this.probeIntervalMs;
        if (this.batchSupported !== false) {
          const was = this.batchSupported === true ? 'served until now' : 'first try';
          this.logger.info({ err: error, was }, 'list-by-condition refused: polling task by task, trying it again later');
          await this.remember(false);
        }
        // Nothing is lost this round: the refused chunk's tasks are asked about one by one right away.
        single.push(...chunk);
        return 'refused';
      }
      if (probing) {
        // Passing trouble says nothing either way: still task by task, and these tasks are fetched like the others.
        this.logger.debug({ err: error }, 'list-by-condition probe failed');
        single.push(...chunk);
      } else {
        // Passing trouble: these tasks count as failed this round and the same batch is sent next round.
        result.failed.push(...chunk);
        this.logger.warn({ err: error, tasks: chunk.length }, 'batch poll failed');
      }
      return 'failed';
    }
  }

  /** The task is no longer polled here (finished, or another process owns it): its last parse goes. */
  forget(taskId: string): void {
    this.memo.delete(taskId);
  }

  private async remember(supported: boolean): Promise<void> {
    this.batchSupported = supported;
    try {
      await this.store.meta.set(this.metaKey, supported);
    } catch (error) {
      // Kept in memory all the same: only a restart would ask again.
      this.logger.warn({ err: error }, 'could not store whether list-by-condition is served');
    }
  }
}
