import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What an operator graphs, in Prometheus's text format on `GET /metrics` (src/http/server.ts). One registry per
 * app, so two apps in one process (tests) never share a count, and everything it started ends with `stop()`.
 * Labels carry kinds, statuses, route groups and API names, never an id, a prompt or a secret.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly tasksStarted: Counter<'kind' | 'upstream'>;
  readonly tasksFinished: Counter<'kind' | 'status' | 'upstream'>;
  readonly apiRequests: Counter<'endpoint' | 'outcome' | 'upstream'>;
  readonly discordRequests: Counter<'route' | 'status'>;
  readonly discordRateLimited: Counter<'route'>;
  readonly quotaRefusals: Counter<'limit'>;
  readonly cardLag: Histogram;
  private readonly loopDelay: IntervalHistogram;
  private readonly gcObserver: PerformanceObserver;

  constructor(gauges: { tasksInFlight(): number; upstreams(): Array<{ name: string; state: string }> }) {
    const registers = [this.registry];
    this.tasksStarted = new Counter({ name: 'mjbridge_tasks_started_total', help: 'Tasks the API accepted, by kind and API.', labelNames: ['kind', 'upstream'], registers });
    this.tasksFinished = new Counter({
      name: 'mjbridge_tasks_finished_total',
      help: 'Tasks that reached their final state, by kind, final status and API.',
      labelNames: ['kind', 'status', 'upstream'],
      registers,
    });
    this.apiRequests = new Counter({
      name: 'mjbridge_api_requests_total',
      help: 'Requests to the Midjourney API, by endpoint, outcome and API.',
      labelNames: ['endpoint', 'outcome', 'upstream'],
      registers,
    });
    this.discordRequests = new Counter({ name: 'mjbridge_discord_requests_total', help: 'Requests to Discord, by route group and status class.', labelNames: ['route', 'status'], registers });
    this.discordRateLimited = new Counter({ name: 'mjbridge_discord_rate_limited_total', help: 'Discord answers 429, by route group.', labelNames: ['route'], registers });
    this.quotaRefusals = new Counter({ name: 'mjbridge_quota_refusals_total', help: 'Tasks refused by a limit, by which limit.', labelNames: ['limit'], registers });
    this.cardLag = new Histogram({
      name: 'mjbridge_card_lag_seconds',
      help: 'From a task state seen at the API to the card showing it.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
      registers,
    });
    new Gauge({ name: 'mjbridge_tasks_in_flight', help: 'Tasks this process follows.', registers, collect() {
      this.set(gauges.tasksInFlight());
    } });
    new Gauge({ name: 'mjbridge_upstream_up', help: '1 when the API is up, 0 when it is down or refusing new tasks.', labelNames: ['upstream', 'state'], registers, collect() {
      this.reset();
      for (const upstream of gauges.upstreams()) this.set({ upstream: upstream.name, state: upstream.state }, upstream.state === 'up' ? 1 : 0);
    } });

    // Process metrics, as prom-client's defaults name them, from monitors this class can also stop.
    new Gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', registers, collect() {
      this.set(process.memoryUsage.rss());
    } });
    new Gauge({ name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', registers, collect() {
      const { user, system } = process.cpuUsage();
      this.set((user + system) / 1e6);
    } });
    const loopDelay = (this.loopDelay = monitorEventLoopDelay({ resolution: 20 }));
    loopDelay.enable();
    new Gauge({ name: 'nodejs_eventloop_lag_p99_seconds', help: 'The 99th percentile of event loop delay since the last scrape.', registers, collect() {
      this.set(loopDelay.count ? loopDelay.percentile(99) / 1e9 : 0);
      loopDelay.reset();
    } });
    const gc = new Histogram({ name: 'nodejs_gc_duration_seconds', help: 'Garbage collection pauses.', buckets: [0.001, 0.01, 0.1, 1], registers });
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gc.observe(entry.duration / 1000);
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  stop(): void {
    this.loopDelay.disable();
    this.gcObserver.disconnect();
    this.registry.clear();
  }
}

/** A Discord route as a label: its template without ids or tokens ("PATCH /webhooks/:app/:token/messages/:message"). */
export function routeGroup(method: string, path: string): string {
  const template = path
    .replace(/^\/api(\/v\d+)?/, '')
    .replace(/\/webhooks\/\d+\/[^/]+/, '/webhooks/:app/:token')
    .replace(/\/interactions\/\d+\/[^/]+/, '/interactions/:id/:token')
    .replace(/\/\d{15,}/g, '/:id')
    .replace(/\/messages\/@original/, '/messages/:message')
    .split('?')[0];
  return `${method} ${template}`;
}
