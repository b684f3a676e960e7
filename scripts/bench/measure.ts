import { readFileSync } from 'node:fs';
import type { TestSimulator as MjSimulator } from '../../test/support/simulator';
import type { LocalDiscord, RecordedCall } from '../../src/playground/discord';

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

/** Samples a process's resident memory and CPU time from /proc (Linux). */
export class ProcessSampler {
  peakRssBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private startCpu = 0;
  private startAt = 0;
  private cpuSeconds = 0;
  private wallSeconds = 0;

  constructor(private readonly pid: number) {}

  private cpu(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  private rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  }

  start(): void {
    this.startCpu = this.cpu();
    this.startAt = Date.now();
    this.timer = setInterval(() => {
      try {
        this.peakRssBytes = Math.max(this.peakRssBytes, this.rss());
        this.cpuSeconds = this.cpu() - this.startCpu;
        this.wallSeconds = (Date.now() - this.startAt) / 1000;
      } catch {
        // the process ended
      }
    }, 200);
  }

  stop(): { peakRssMb: number; meanCpuPercent: number } {
    clearInterval(this.timer);
    return { peakRssMb: this.peakRssBytes / 1024 / 1024, meanCpuPercent: this.wallSeconds ? (100 * this.cpuSeconds) / this.wallSeconds : 0 };
  }
}

const CARD_ROUTES = new Set(['PATCH /webhooks/:app/:token/messages/:message', 'PATCH /channels/:channel/messages/:message', 'POST /channels/:channel/messages']);

/** What a card edit showed: -1 queued, 0–99 percent, 100 final. */
function shown(call: RecordedCall): { taskId: string; state: number } | undefined {
  const embed = call.body?.embeds?.[0];
  const taskId = /Task (\S+)/.exec(String(embed?.footer?.text ?? ''))?.[1];
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
export function lagFigures(sim: MjSimulator, discord: LocalDiscord, sinceCall = 0): LagFigures {
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
    const runStart = record.queuedAt + record.pausedMs + record.waitMs;
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
