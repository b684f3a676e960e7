import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestSimulator as startSimulator, type TestSimulator as MjSimulator } from './support/simulator';
import { startLocalDiscord, type LocalAttachment, type LocalDiscord, type LocalInteraction } from '../src/playground/discord';
import { isFinished } from './support/harness';
import { freePort } from './support/ports';
import { BotProcess, botEnv } from './support/process';

/** 7.5 MB that start like a PNG: what an attacker attaches to exhaust the bot's memory. */
const HUGE = (() => {
  const data = Buffer.alloc(7.5 * 1024 * 1024, 0x5a);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(data);
  return data;
})();

describe('members cannot exhaust memory with uploads (bot as its own process, with the heap flags of npm start)', () => {
  let discord: LocalDiscord;
  let sim: MjSimulator;
  let bot: BotProcess;
  let dir: string;
  let port: number;
  before(async () => {
    discord = await startLocalDiscord();
    sim = await startSimulator({ queueMs: 100, runMs: 1500, progressSteps: 2, imageSize: 64 });
    dir = mkdtempSync(join(tmpdir(), 'mj-bridge-uploads-'));
    port = await freePort();
    bot = new BotProcess('src/index.ts', botEnv(discord, sim, dir, { HTTP_PORT: String(port), POLL_INTERVAL_MS: '500' }), dir);
    await bot.waitForOutput(/connected to Discord/);
  });
  after(async () => {
    await bot.stop('SIGTERM');
    await discord.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
  /** What became of a command: its public card finished, or the private answer the member got. */
  const outcome = (interaction: LocalInteraction): 'card' | string | undefined => {
    const original = discord.original(interaction);
    if (original && !original.deleted && !(original.flags & 64) && isFinished(original)) return 'card';
    const answer = [original, ...discord.followups(interaction)].find((m) => m && !m.deleted && m.flags & 64 && m.content);
    return answer?.content;
  };

  test('ten /blend at once, each with five 7.5 MB images: the process lives, /healthz stays green, no API call is half-sent', async () => {
    const blends: LocalInteraction[] = [];
    for (let n = 0; n < 10; n += 1) {
      const images: Record<string, LocalAttachment> = {};
      for (let i = 1; i <= 5; i += 1) images[`image${i}`] = discord.addAttachment(`big-${n}-${i}.png`, HUGE, 'image/png');
      blends.push(discord.command('blend', images));
    }
    const greens: number[] = [];
    // Until every member has an answer: a finished card, or a private "try again".
    for (let round = 0; round < 600 && blends.some((b) => outcome(b) === undefined); round += 1) {
      assert.equal(bot.child.exitCode, null, `the bot died:\n${bot.stderr.slice(-2000)}`);
      greens.push(await health());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const outcomes = blends.map(outcome);
    assert.ok(outcomes.every((o) => o !== undefined), `every member got an answer: ${JSON.stringify(outcomes)}`);
    assert.equal(bot.child.exitCode, null, 'the bot is alive');
    assert.ok(greens.length > 0 && greens.every((status) => status === 200), `/healthz stayed green: ${greens.join(',')}`);
    assert.equal(await health(), 200);

    const cards = outcomes.filter((o) => o === 'card').length;
    const refused = outcomes.filter((o) => o !== 'card');
    assert.ok(cards >= 1, 'some blends were taken and finished');
    for (const text of refused) assert.match(String(text), /busy sending other members’ images to Midjourney\. Please try again in a minute/, 'the others are told privately to try again shortly');
    // Every blend that reached the API arrived whole: five images, each a complete data-URL, answered 200.
    const submits = sim.requests.filter((r) => r.path.endsWith('/submit/blend'));
    assert.equal(submits.length, cards);
    for (const submit of submits) {
      assert.equal(submit.status, 200);
      const images = (submit.body as { base64Array: string[] }).base64Array;
      assert.equal(images.length, 5);
      for (const image of images) assert.match(image, /^data:image\/png;base64,iVBORw0KGg/);
    }
    const taken = [...sim.tasks.values()].filter((t) => t.action === 'BLEND');
    assert.equal(taken.length, cards, 'each submit was a whole, valid blend');
    const firstImage = /(http:\/\/\S+\/uploads\/\S+)/.exec(taken.at(-1)!.finalPrompt)?.[1];
    assert.ok(firstImage);
    const received = Buffer.from(await (await fetch(firstImage)).arrayBuffer());
    assert.equal(received.length, HUGE.length, 'the API received every byte of the image');
    // And the bot still serves the next member.
    const next = discord.command('imagine', { prompt: 'after the storm' });
    await discord.waitFor(() => outcome(next) === 'card', 'a normal command afterwards', 20_000);
  });
});
