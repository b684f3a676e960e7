import http from 'node:http';
import https from 'node:https';
import type { TaskStore, TaskView } from './tasks';
import type { Settings, SimTaskRecord } from './types';

/**
 * notifyHook deliveries, driven by ONE shared interval that only runs while some task with a hook is
 * unfinished or a delivery is pending. Each tick compares every watched task's "STATUS:progress" with the
 * last one sent and POSTs the task JSON when it changed. No retries; answers and errors are ignored.
 */

interface Delivery {
  due: number;
  url: string;
  body: string;
}

export class Notifier {
  private readonly watched = new Map<string, string>();
  private pending: Delivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerPeriod = 0;
  private closed = false;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  /** Number of callbacks sent (the benchmark's transport floor counts them). */
  sent = 0;

  constructor(
    private readonly s: Settings,
    private readonly store: TaskStore,
    private readonly render: (record: SimTaskRecord, view: TaskView) => unknown,
  ) {}

  watch(record: SimTaskRecord): void {
    if (!record.notifyHook || this.closed || this.s.family === 'reseller') return;
    this.watched.set(record.id, '');
    this.ensureTimer();
  }

  private ensureTimer(): void {
    const period = Math.max(10, this.s.notifyIntervalMs);
    if (this.timer && this.timerPeriod === period) return;
    if (this.timer) clearInterval(this.timer);
    this.timerPeriod = period;
    this.timer = setInterval(() => this.tick(), period);
    this.timer.unref();
  }

  private tick(): void {
    const now = this.s.clock();
    const real = Date.now();
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
        this.schedule(record.notifyHook, JSON.stringify(this.render(record, view)), real);
      }
      // A MODAL task is watched again when /submit/modal queues it.
      if (view.terminal || view.status === 'MODAL') this.watched.delete(id);
    }
    if (this.pending.length > 0) {
      const due = this.pending.filter((d) => d.due <= real);
      if (due.length > 0) {
        this.pending = this.pending.filter((d) => d.due > real);
        if (this.s.notifyShuffle) due.reverse();
        for (const delivery of due) this.post(delivery);
      }
    }
    if (this.watched.size === 0 && this.pending.length === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    } else {
      this.ensureTimer();
    }
  }

  private schedule(url: string, body: string, real: number): void {
    const copies = this.s.notifyDuplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const jitter = this.s.notifyShuffle ? Math.random() * 3 * this.timerPeriod : 0;
      this.pending.push({ due: real + this.s.notifyDelayMs + jitter, url, body });
    }
  }

  private post(delivery: Delivery): void {
    if (this.closed) return;
    let target: URL;
    try {
      target = new URL(delivery.url);
    } catch {
      return;
    }
    const secure = target.protocol === 'https:';
    const payload = Buffer.from(delivery.body);
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
    this.sent++;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.watched.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
