import http from 'node:http';
import https from 'node:https';
import type { SimHooks } from './hooks';
import type { TaskStore, TaskView } from './tasks';
import type { Settings, SimTaskRecord } from './sim-types';

/**
 * notifyHook deliveries, driven by ONE shared interval that only runs while some task with a hook is
 * unfinished. Each tick compares every watched task's "STATUS:progress" with the last one sent and POSTs the task
 * JSON when it changed (through the `callback` hook, when there is one). No retries; answers and errors are ignored.
 */

/** Far finer than any task's progress steps, and cheap: one timer for every task. */
const TICK_MS = 100;

export class Notifier {
  private readonly watched = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(
    private readonly s: Settings,
    private readonly store: TaskStore,
    private readonly render: (record: SimTaskRecord, view: TaskView) => unknown,
    private readonly hooks: Pick<SimHooks, 'callback'> = {},
  ) {}

  watch(record: SimTaskRecord): void {
    if (!record.notifyHook || this.closed || this.s.family === 'reseller') return;
    this.watched.set(record.id, '');
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    const now = this.s.clock();
    for (const [id, last] of this.watched) {
      const record = this.store.tasks.get(id);
      if (!record?.notifyHook) {
        this.watched.delete(id);
        continue;
      }
      const view = this.store.view(record, now);
      const key = `${view.status}:${view.progress}`;
      if (key !== last) {
        this.watched.set(id, key);
        const callback = { task: record, url: record.notifyHook, body: JSON.stringify(this.render(record, view)) };
        const send = (body: string) => this.post(callback.url, body);
        if (this.hooks.callback) this.hooks.callback(callback, send);
        else send(callback.body);
      }
      // A MODAL task is watched again when /submit/modal queues it.
      if (view.terminal || view.status === 'MODAL') this.watched.delete(id);
    }
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private post(url: string, body: string): void {
    if (this.closed) return;
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return;
    }
    const secure = target.protocol === 'https:';
    const payload = Buffer.from(body);
    const request = (secure ? https : http).request(target, {
      method: 'POST',
      agent: secure ? this.httpsAgent : this.httpAgent,
      headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
      timeout: 10_000,
    });
    request.on('response', (response) => response.resume());
    request.on('timeout', () => request.destroy());
    request.on('error', () => {});
    request.end(payload);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
