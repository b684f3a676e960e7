import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestSimulator as startSimulator, type TestSimulator as MjSimulator } from './support/simulator';
import { startLocalDiscord, type LocalDiscord, type LocalInteraction } from '../src/playground/discord';
import { buttonsOf, embedText, isFinished } from './support/harness';
import { BotProcess, botEnv } from './support/process';

describe('kill -9 and restart', () => {
  let discord: LocalDiscord;
  let sim: MjSimulator;
  let dir: string;
  const bots: BotProcess[] = [];
  before(async () => {
    discord = await startLocalDiscord();
    sim = await startSimulator({ queueMs: 200, runMs: 4000, progressSteps: 4, imageSize: 64 });
    dir = mkdtempSync(join(tmpdir(), 'mj-bridge-restart-'));
  });
  after(async () => {
    for (const bot of bots) await bot.stop('SIGKILL');
    await discord.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const startBot = async () => {
    const bot = new BotProcess('src/index.ts', botEnv(discord, sim, dir, { POLL_INTERVAL_MS: '300' }), dir);
    bots.push(bot);
    await bot.waitForOutput(/connected to Discord/);
    return bot;
  };
  const finished = (interaction: LocalInteraction, timeoutMs = 20_000) =>
    discord.waitFor(() => {
      const message = discord.original(interaction);
      return message && isFinished(message) ? message : undefined;
    }, `interaction ${interaction.id} to finish`, timeoutMs);

  test('tasks in flight when the process is killed are resumed and finished; old buttons still work', async () => {
    const first = await startBot();
    const early = discord.command('imagine', { prompt: 'finished before the crash' });
    const grid = await finished(early);

    const inFlight = ['one', 'two', 'three', 'four'].map((n) => discord.command('imagine', { prompt: `in flight ${n}` }));
    for (const interaction of inFlight) {
      await discord.waitFor(() => {
        const message = discord.original(interaction);
        return message && /\d+%/.test(embedText(message));
      }, 'progress before the crash');
    }
    await first.stop('SIGKILL');
    for (const interaction of inFlight) assert.ok(!isFinished(discord.original(interaction)!), 'not finished when killed');

    const second = await startBot();
    await second.waitForOutput(/resuming tasks that were in flight/);
    assert.match(second.stdout, /"tasks":4/);
    for (const interaction of inFlight) {
      const done = await finished(interaction);
      assert.equal(done.attachments.length, 1);
    }

    const u1 = buttonsOf(grid).find((b) => b.label === 'U1')!.custom_id!;
    const click = discord.click(grid.id, u1);
    const upscale = await finished(click);
    assert.match(embedText(upscale), /Upscale U1/);
    await second.stop('SIGTERM');
  });
});
