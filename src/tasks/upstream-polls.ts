import type { Logger } from '../logger';
import type { MjTask } from '../mj/schemas';
import type { Upstream, Upstreams } from '../mj/upstreams';
import type { Store } from '../store';
import { TaskPoller, type TaskPollerOptions } from './poller';

/** One round of polls, by task key. */
export interface KeyedPoll {
  found: Map<string, MjTask>;
  missing: string[];
  failed: string[];
}

/**
 * Polls each task at the API that runs it: one TaskPoller per API (its own list-by-condition batches, and its own
 * memory of whether it has list-by-condition), the keys of a round split by API and joined again. A round in
 * which an API answered nothing tells its health (down), one in which it answered brings it back up.
 */
export class UpstreamPolls {
  private readonly pollers = new Map<Upstream, TaskPoller>();

  constructor(
    private readonly upstreams: Upstreams,
    store: Store,
    logger: Logger,
    batchSize: number,
    options: TaskPollerOptions,
  ) {
    for (const upstream of upstreams.all) this.pollers.set(upstream, new TaskPoller(upstream.client, store, logger, batchSize, options));
  }

  async load(): Promise<void> {
    await Promise.all([...this.pollers.values()].map((poller) => poller.load()));
  }

  async poll(keys: readonly string[]): Promise<KeyedPoll> {
    const byUpstream = new Map<Upstream, Map<string, string>>();
    for (const key of keys) {
      const { upstream, id } = this.upstreams.ref(key);
      const ids = byUpstream.get(upstream) ?? new Map<string, string>();
      ids.set(id, key);
      byUpstream.set(upstream, ids);
    }
    const result: KeyedPoll = { found: new Map(), missing: [], failed: [] };
    await Promise.all(
      [...byUpstream].map(async ([upstream, ids]) => {
        const answer = await this.pollers.get(upstream)!.poll([...ids.keys()]);
        for (const [id, task] of answer.found) {
          const key = ids.get(id);
          if (key !== undefined) result.found.set(key, task);
        }
        for (const id of answer.missing) result.missing.push(ids.get(id)!);
        for (const id of answer.failed) result.failed.push(ids.get(id)!);
        const nothing = answer.failed.length === ids.size && ids.size > 0;
        this.upstreams.polled(upstream, nothing ? 'polls failed' : undefined);
      }),
    );
    return result;
  }

  /** The task is no longer polled here: its last parse goes. */
  forget(key: string): void {
    const { upstream, id } = this.upstreams.ref(key);
    this.pollers.get(upstream)?.forget(id);
  }
}
