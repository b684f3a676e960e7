import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalInteraction } from '../../src/playground/discord';
import { startTestDiscord, type TestDiscord } from '../../test/support/discord';
import { BotProcess } from '../../test/support/process';
import { startTestSimulator, type TestSimulator, type TestSimulatorOptions } from '../../test/support/simulator';

/** The poll period of every phase. */
export const POLL_MS = 3000;
// A fast-mode Midjourney job: a few seconds queued, about 45 s rendering, progress reported in steps.
export const SIM = { queueMs: 5000, runMs: 45_000, progressSteps: 5, imageSize: 256 } as const;
const PHASE_TIMEOUT_MS = 180_000;

export const log = (text: string) => process.stderr.write(`${text}\n`);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check: () => boolean, what: string, timeoutMs = PHASE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The simulator, the local Discord and bot processes, on 127.0.0.1. */
export class Rig {
  dir = mkdtempSync(join(tmpdir(), 'mj-bridge-bench-'));
  readonly bots: BotProcess[] = [];
  private constructor(
    readonly sim: TestSimulator,
    readonly discord: TestDiscord,
  ) {}

  static async start(listByCondition = true, sim: Partial<TestSimulatorOptions> = {}): Promise<Rig> {
    const simulator = await startTestSimulator({ ...SIM, ...sim, listByCondition, requestLogLimit: 0 });
    const discord = await startTestDiscord();
    return new Rig(simulator, discord);
  }

  get bot(): BotProcess | undefined {
    return this.bots.at(-1);
  }

  async spawnBot(extra: Record<string, string> = {}): Promise<BotProcess> {
    const bot = new BotProcess(
      'src/index.ts',
      {
        DISCORD_TOKEN: this.discord.botToken,
        DISCORD_APPLICATION_ID: this.discord.applicationId,
        DISCORD_API_URL: this.discord.apiUrl,
        MJ_API_URL: this.sim.url,
        STORE_URL: `sqlite://${join(this.dir, 'bot.sqlite')}`,
        HTTP_PORT: '0',
        POLL_INTERVAL_MS: String(POLL_MS),
        LOG_LEVEL: 'info',
        ...extra,
      },
      this.dir,
      // For profiling: BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench
      (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean),
    );
    this.bots.push(bot);
    await bot.waitForOutput(/connected to Discord/, 60_000);
    return bot;
  }

  /** `count` members run /imagine within about `count / 200` seconds, in `channels` in turn. */
  async submitAll(count: number, channels: string[] = [this.discord.channelId]): Promise<LocalInteraction[]> {
    const interactions: LocalInteraction[] = [];
    for (let i = 0; i < count; i += 1) {
      // 20 distinct scenes: the simulator encodes each picture once and serves it again, as a CDN would.
      interactions.push(this.discord.command('imagine', { prompt: `benchmark scene ${i % 20} --ar 3:2` }, { channelId: channels[i % channels.length]! }));
      if (i % 20 === 19) await sleep(100);
    }
    await until(() => interactions.every((i) => i.callback), 'every interaction to be acknowledged', 30_000);
    const late = interactions.filter((i) => i.callbackAt! - i.createdAt > 3000).length;
    if (late) log(`  ${late} interactions acknowledged after 3 s`);
    return interactions;
  }

  finals(interactions: LocalInteraction[]): number {
    return interactions.filter((i) => {
      const message = this.discord.original(i);
      return message !== undefined && message.attachments.length > 0 && message.components.length > 0;
    }).length;
  }

  /** Poll requests the simulator received since `since` (ms). */
  pollRequests(since = 0): number {
    return this.sim.requests.filter((r) => r.at >= since && r.path.includes('/mj/task/')).length;
  }

  /**
   * A bot process fresh from its start runs cold code: V8 compiles and optimizes what runs often during its first
   * tasks. `count` quick tasks (queued 0.5 s, rendering 5 s) run through every step of a task first, so a phase then
   * measures the bot as it runs for days, not its start-up.
   */
  async warmUp(count: number): Promise<void> {
    if (count <= 0) return;
    this.sim.configure({ queueMs: 500, runMs: 5000 });
    try {
      const warm = await this.submitAll(count);
      await until(() => this.finals(warm) === warm.length, 'the warm-up tasks');
    } finally {
      this.sim.configure({ queueMs: SIM.queueMs, runMs: SIM.runMs });
    }
  }

  async stop(): Promise<void> {
    for (const bot of this.bots) await bot.stop('SIGTERM');
    await this.discord.close();
    await this.sim.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The 429s among the local Discord's calls since `since`, counted by route: what drew them, for the table. */
export function rateLimitsOf(discord: Rig['discord'], since: number): Map<string, number> {
  const routes = new Map<string, number>();
  for (const call of discord.calls.slice(since)) if (call.status === 429) routes.set(call.route, (routes.get(call.route) ?? 0) + 1);
  return routes;
}
