import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type App, type AppOptions } from '../../src/app';
import { loadConfig, scrubberOf } from '../../src/config';
import { createLogger } from '../../src/logger';
import { emptySettings } from '../../src/limits/server-settings';
import { openStore, type Store } from '../../src/store';
import { testResolve } from './resolver';
import { startTestSimulator, type TestSimulator, type TestSimulatorOptions } from './simulator';
import type { LocalDiscord, LocalDiscordOptions, LocalInteraction, LocalMessage } from '../../src/playground/discord';
import { startTestDiscord, type TestDiscord } from './discord';

/** A clock tests can move forward (Discord's 15-minute token, stall watchdogs) without waiting. */
export class TestClock {
  offsetMs = 0;
  readonly now = () => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** Collects the bot's log lines so tests can assert on them (and on secrets never appearing). */
export class LogSink extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const text = chunk.toString('utf8');
    this.text += text;
    for (const line of text.split('\n').filter(Boolean)) {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON: kept in `text` only
      }
    }
    done();
  }
}

export interface WorldOptions {
  env?: Record<string, string>;
  simulator?: TestSimulatorOptions;
  discord?: Omit<LocalDiscordOptions, 'hooks'>;
  app?: Omit<AppOptions, 'logger' | 'clock'>;
  /** `sqlite` (a file in a fresh temp dir, default) or `memory`. */
  store?: 'sqlite' | 'memory';
}

/**
 * Everything a test needs, on 127.0.0.1: the simulator, the local Discord, and the real bot built from
 * its real config. `restart()` builds a new bot on the same store, as a process restart would.
 */
export class TestWorld {
  app!: App;
  readonly clock = new TestClock();
  readonly logs = new LogSink();
  private readonly dir = mkdtempSync(join(tmpdir(), 'mj-bridge-test-'));
  private stopped = false;

  private constructor(
    readonly sim: TestSimulator,
    readonly discord: TestDiscord,
    private readonly options: WorldOptions,
  ) {}

  static async start(options: WorldOptions = {}): Promise<TestWorld> {
    const clock = new TestClock();
    const sim = await startTestSimulator({ queueMs: 150, runMs: 900, progressSteps: 3, imageSize: 64, ...options.simulator });
    const discord = await startTestDiscord({ clock: clock.now, ...options.discord });
    const world = new TestWorld(sim, discord, options);
    Object.assign(world, { clock });
    try {
      await world.boot();
    } catch (error) {
      await world.stop();
      throw error;
    }
    return world;
  }

  get env(): Record<string, string> {
    return {
      DISCORD_TOKEN: this.discord.botToken,
      DISCORD_APPLICATION_ID: this.discord.applicationId,
      DISCORD_API_URL: this.discord.apiUrl,
      MJ_API_URL: this.sim.url,
      MJ_API_KEY: 'test-api-key-secret',
      STORE_URL: this.options.store === 'memory' ? 'memory://' : `sqlite://${join(this.dir, 'bot.sqlite')}`,
      HTTP_PORT: '0',
      POLL_INTERVAL_MS: '250',
      LOG_LEVEL: 'debug',
      ...this.options.env,
    };
  }

  private async boot(): Promise<void> {
    const config = loadConfig(this.env);
    const logger = createLogger({ level: config.LOG_LEVEL, pretty: false, destination: this.logs, secrets: scrubberOf(config) });
    this.app = await createApp(config, { logger, clock: this.clock.now, resolve: testResolve, ...this.options.app });
    const identified = this.discord.gateway.identifyCount;
    await this.app.start();
    await this.discord.gateway.waitForIdentify(identified + 1);
    await this.discord.waitFor(() => this.app.client.isReady(), 'the bot to be ready');
  }

  /**
   * Stops the bot and starts a new one on the same store, as a restart of the process would. `whileStopped` gets
   * the store in between, as nothing runs (what an older version left in it, for an upgrade).
   */
  async restart(whileStopped?: (store: Store) => Promise<void>): Promise<void> {
    await this.app.stop();
    if (whileStopped) {
      if (this.options.store === 'memory') throw new Error('a memory store does not outlive the bot');
      const store = await openStore(this.env.STORE_URL!, createLogger({ level: 'silent', pretty: false }));
      try {
        await whileStopped(store);
      } finally {
        await store.close();
      }
    }
    await this.boot();
  }

  /** Runs a command and waits for its first answer. */
  async command(name: string, options: Parameters<LocalDiscord['command']>[1] = {}, by: Parameters<LocalDiscord['command']>[2] = {}): Promise<LocalInteraction> {
    const interaction = this.discord.command(name, options, by);
    await this.discord.answered(interaction);
    return interaction;
  }

  /** Clears a server's /admin settings the way /admin changes them, so the bot's copy in memory follows (src/limits/quota.ts). */
  async clearSettings(guildId = this.discord.guildId): Promise<void> {
    await this.app.ctx.settings.update(guildId, (settings) => {
      for (const key of Object.keys(settings)) delete (settings as unknown as Record<string, unknown>)[key];
      Object.assign(settings, emptySettings());
    });
  }

  /** Like LocalDiscord.waitFor, for checks that read the store (async). */
  async until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<Exclude<T, undefined | false>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits until the interaction's original message satisfies `check`. */
  async untilOriginal(interaction: LocalInteraction, check: (message: LocalMessage) => boolean, what: string, timeoutMs = 10_000): Promise<LocalMessage> {
    return this.discord.waitFor(() => {
      const message = this.discord.original(interaction);
      return message && check(message) ? message : undefined;
    }, what, timeoutMs);
  }

  /** The ephemeral text the member was shown for this interaction (reply, or followup after a removed defer). */
  async privateAnswer(interaction: LocalInteraction, timeoutMs = 5_000): Promise<string> {
    return this.discord.waitFor(() => {
      const messages = [this.discord.original(interaction), ...this.discord.followups(interaction)];
      const ephemeral = messages.find((m) => m && !m.deleted && m.flags & 64 && m.content);
      return ephemeral?.content;
    }, `a private answer to /${String((interaction.raw.data as { name?: string }).name ?? 'interaction')}`, timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.app?.stop().catch(() => undefined);
    await this.discord.close();
    await this.sim.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Finished card: has an attachment and buttons. */
export const isFinished = (message: LocalMessage) => message.attachments.length > 0 && message.components.length > 0;

export const buttonsOf = (message: LocalMessage): Array<{ custom_id?: string; label?: string; emoji?: { name?: string }; style: number; url?: string }> =>
  message.components.flatMap((row: any) => row.components ?? []);

export const embedText = (message: LocalMessage): string =>
  message.embeds.map((e: any) => [e.title, e.description, ...(e.fields ?? []).map((f: any) => `${f.name}: ${f.value}`), e.footer?.text].filter(Boolean).join('\n')).join('\n');
