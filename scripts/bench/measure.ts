import { readdirSync, readFileSync } from 'node:fs';
import type { TestSimulator as MjSimulator } from '../../test/support/simulator';
import type { RestCall } from '../../src/playground/discord';
import type { TestDiscord } from '../../test/support/discord';

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

/** CPU seconds of one thread or process from its /proc stat line (user + system). */
function cpuOf(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Samples a process's resident memory and CPU time from /proc (Linux). With BENCH_DEBUG it also prints the CPU of
 * each 10 s of the phase and of each thread (main, V8's helpers, libuv's pool), which shows where a figure comes from.
 */
export class ProcessSampler {
  peakRssBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private startCpu = 0;
  private startAt = 0;
  private cpuSeconds = 0;
  private wallSeconds = 0;
  private readonly series: Array<{ wall: number; cpu: number }> = [];
  private threadsAtStart = new Map<string, number>();

  constructor(private readonly pid: number) {}

  private cpu(): number {
    return cpuOf(`/proc/${this.pid}/stat`);
  }

  private rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  }

  private threads(): Map<string, number> {
    const dir = `/proc/${this.pid}/task`;
    return new Map(readdirSync(dir).map((tid) => [`${tid} ${readFileSync(`${dir}/${tid}/comm`, 'utf8').trim()}`, cpuOf(`${dir}/${tid}/stat`)]));
  }

  start(): void {
    if (process.env.BENCH_DEBUG) this.threadsAtStart = this.threads();
    this.startCpu = this.cpu();
    this.startAt = Date.now();
    this.timer = setInterval(() => {
      try {
        this.peakRssBytes = Math.max(this.peakRssBytes, this.rss());
        this.cpuSeconds = this.cpu() - this.startCpu;
        this.wallSeconds = (Date.now() - this.startAt) / 1000;
        this.series.push({ wall: this.wallSeconds, cpu: this.cpuSeconds });
      } catch {
        // the process ended
      }
    }, 200);
  }

  stop(): { peakRssMb: number; meanCpuPercent: number } {
    clearInterval(this.timer);
    if (process.env.BENCH_DEBUG) this.debug();
    return { peakRssMb: this.peakRssBytes / 1024 / 1024, meanCpuPercent: this.wallSeconds ? (100 * this.cpuSeconds) / this.wallSeconds : 0 };
  }

  private debug(): void {
    for (let from = 0; from < this.wallSeconds; from += 10) {
      const a = this.series.find((s) => s.wall >= from);
      const b = this.series.findLast((s) => s.wall < from + 10);
      if (a && b && b.wall > a.wall) process.stderr.write(`  cpu ${from}–${from + 10} s: ${((100 * (b.cpu - a.cpu)) / (b.wall - a.wall)).toFixed(1)} %\n`);
    }
    try {
      for (const [thread, cpu] of this.threads()) process.stderr.write(`  thread ${thread}: ${(cpu - (this.threadsAtStart.get(thread) ?? 0)).toFixed(2)} s\n`);
    } catch {
      // the process ended
    }
  }
}

const CARD_ROUTES = new Set(['PATCH /webhooks/:app/:token/messages/:message', 'PATCH /channels/:channel/messages/:message', 'POST /channels/:channel/messages']);

/** What a card edit showed: -1 queued, 0–99 percent, 100 final. */
function shown(call: RestCall): { taskId: string; state: number } | undefined {
  const embed = call.body?.embeds?.[0];
  // The footer shows the task's key: the API's id, after the API's name for every API but the first.
  const taskId = /Task (\S+)/.exec(String(embed?.footer?.text ?? ''))?.[1]?.split(':').at(-1);
  if (!taskId) return undefined;
  const status = String(embed?.fields?.find((f: { name: string }) => f.name === 'Status')?.value ?? '');
  if (/Done/.test(status) && call.files.length > 0) return { taskId, state: 100 };
  const percent = /(\d+)%/.exec(status)?.[1];
  return { taskId, state: percent === undefined ? -1 : Number(percent) };
}

export interface LagFigures {
  /** Lag of every change while a task runs (progress steps and the final state), ms. */
  running: number[];
  /** Lag of the queued → started change, ms (polled at the slower queued period). */
  start: number[];
  finals: number;
}

/**
 * For every state change the simulator made (it knows when each happened), the time until Discord
 * received the first card edit showing that state or a later one.
 */
export function lagFigures(sim: MjSimulator, discord: TestDiscord, sinceCall = 0): LagFigures {
  const timeline = new Map<string, Array<{ at: number; state: number }>>();
  for (const call of discord.calls.slice(sinceCall)) {
    if (!CARD_ROUTES.has(call.route) || call.status !== 200) continue;
    const seen = shown(call);
    if (!seen) continue;
    const list = timeline.get(seen.taskId) ?? [];
    list.push({ at: call.at, state: seen.state });
    timeline.set(seen.taskId, list);
  }
  const figures: LagFigures = { running: [], start: [], finals: 0 };
  for (const [taskId, edits] of timeline) {
    const record = sim.tasks.get(taskId);
    if (!record || record.queuedAt === undefined) continue;
    // queuedAt already counts any pause (test support moves it on when a stalled task goes on).
    const runStart = record.queuedAt + record.waitMs;
    const changes = Array.from({ length: record.steps }, (_, k) => ({
      at: runStart + (k * record.runMs) / record.steps,
      state: Math.floor((k * 100) / record.steps),
    }));
    changes.push({ at: runStart + record.runMs, state: 100 });
    if (edits.some((e) => e.state === 100)) figures.finals += 1;
    changes.forEach((change, index) => {
      const edit = edits.find((e) => e.state >= change.state && e.at >= change.at - 5);
      if (!edit) return;
      const lag = Math.max(0, edit.at - change.at);
      (index === 0 ? figures.start : figures.running).push(lag);
      if (process.env.BENCH_DEBUG && lag > 1000) process.stderr.write(`  slow: task ${taskId} state ${change.state} lag ${lag} ms\n`);
    });
  }
  return figures;
}
