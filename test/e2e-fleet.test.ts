import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LocalInteraction, LocalMessage } from '../src/playground/discord';
import { startTestDiscord, type TestDiscord } from './support/discord';
import { embedText, isFinished } from './support/harness';
import { freePort } from './support/ports';
import { BotProcess, botEnv } from './support/process';
import { redisMissing, startRedis, type TestRedis } from './support/redis';
import { startTestSimulator, type TestSimulator } from './support/simulator';
import { buttonId } from './support/surface';

const LEASE_MS = 3_000;
const POLL_MS = 500;
const SECRET = 'fleet-notify-secret-0123456789';
const shardOf = (guildId: string) => Number((BigInt(guildId) >> 22n) % 2n);
const taskIdOf = (message: LocalMessage) => /Task (\d+)/.exec(embedText(message))?.[1] ?? '';

/** What a card showed, edit after edit: -1 waiting, 0–99 percent, 100 done. */
function shownStates(discord: TestDiscord, interaction: LocalInteraction, messageId: string): number[] {
  return discord.calls
    .filter((c) => c.method === 'PATCH' && c.status === 200 && (c.params.token === interaction.token || c.params.message === messageId))
    .map((c) => {
      const status = String(c.body?.embeds?.[0]?.fields?.find((f: { name: string }) => f.name === 'Status')?.value ?? '');
      if (/Done/.test(status)) return 100;
      const percent = /(\d+)%/.exec(status)?.[1];
      return percent === undefined ? -1 : Number(percent);
    });
}

describe('a fleet: two processes, shards 0 and 1, on one Redis', { skip: redisMissing }, () => {
  let redis: TestRedis;
  let sim: TestSimulator;
  let discord: TestDiscord;
  let dir: string;
  const bots: BotProcess[] = [];
  const ports: number[] = [];
  /** The channel of a guild on each shard. */
  const channels: string[] = [];

  const spawn = (shard: number) => {
    const bot = new BotProcess(
      'src/index.ts',
      botEnv(discord, sim, dir, {
        STORE_URL: redis.url,
        SHARD_COUNT: '2',
        SHARD_IDS: String(shard),
        HTTP_PORT: String(ports[shard]),
        // Behind one address (a load balancer sending everything to shard 1's process): callbacks reach any process.
        PUBLIC_URL: `http://127.0.0.1:${ports[1]}`,
        NOTIFY_SECRET: SECRET,
        LEASE_MS: String(LEASE_MS),
        POLL_INTERVAL_MS: String(POLL_MS),
      }),
      dir,
    );
    bots.push(bot);
    return bot;
  };

  before(async () => {
    redis = await startRedis();
    sim = await startTestSimulator({ queueMs: 200, runMs: 2_000, progressSteps: 4, imageSize: 64 });
    discord = await startTestDiscord();
    dir = mkdtempSync(join(tmpdir(), 'mj-bridge-fleet-'));
    const main = { id: discord.guildId, channelId: discord.channelId };
    const other = discord.world.addGuild(1 - shardOf(main.id), 2);
    channels[shardOf(main.id)] = main.channelId;
    channels[shardOf(other.id)] = other.channelId;
    ports.push(await freePort(), await freePort());
    const [zero, one] = [spawn(0), spawn(1)];
    await Promise.all([zero.waitForOutput(/connected to Discord/), one.waitForOutput(/connected to Discord/)]);
  });
  after(async () => {
    for (const bot of bots) await bot.stop('SIGKILL');
    await discord?.close();
    await sim?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const imagine = (shard: number, prompt: string) => discord.command('imagine', { prompt }, { channelId: channels[shard]! });
  const finished = (interaction: LocalInteraction, timeoutMs = 30_000) =>
    discord.waitFor(() => {
      const card = discord.original(interaction);
      return card && isFinished(card) ? card : undefined;
    }, `the final card of ${interaction.id}`, timeoutMs);
  const healthOf = async (shard: number) => (await (await fetch(`http://127.0.0.1:${ports[shard]}/healthz`)).json()) as Record<string, any>;

  let doneInShard0: LocalMessage;

  test('each process holds its shard: identify with [shard, 2], and a guild’s commands reach its process only', async () => {
    assert.deepEqual(discord.gateway.identified.map((s) => s.join('/')).sort(), ['0/2', '1/2']);
    const [a, b] = [imagine(0, 'a cat on shard zero'), imagine(1, 'a cat on shard one')];
    const [cardA, cardB] = await Promise.all([finished(a), finished(b)]);
    doneInShard0 = cardA;
    assert.ok(bots[0]!.stdout.includes(taskIdOf(cardA)) && !bots[1]!.stdout.includes(`"taskId":"${taskIdOf(cardA)}","title"`), 'shard 0 submitted its task');
    assert.ok(bots[1]!.stdout.includes(taskIdOf(cardB)));
    const health = await healthOf(1);
    assert.deepEqual(health.shards, [1]);
    assert.match(String(health.process), /:\d+:/);
    assert.equal(health.fleet.processes, 2, 'both processes in the fleet');
  });

  test('kill -9 of one process: the other takes its tasks within LEASE_MS and finishes every card, nothing twice, nothing backwards', async () => {
    sim.configure({ runMs: 9_000 });
    const mine = [imagine(0, 'zero one'), imagine(0, 'zero two'), imagine(0, 'zero three')];
    const theirs = [imagine(1, 'one one'), imagine(1, 'one two')];
    const all = [...mine, ...theirs];
    await discord.waitFor(() => all.every((i) => /\d+%/.test(embedText(discord.original(i) ?? ({ embeds: [] } as never)))), 'every card to show progress', 20_000);
    const submitsBefore = sim.requestCount('/submit/');
    const killedAt = Date.now();
    await bots[0]!.stop('SIGKILL');

    // A callback for one of the dead process's tasks, to the survivor (where the load balancer sends it).
    const orphan = taskIdOf(discord.original(mine[0]!)!);
    await discord.waitFor(() => bots[1]!.stdout.includes('taking over tasks whose process stopped'), 'the takeover', LEASE_MS + 5_000);
    const takeoverMs = Date.now() - killedAt;
    const pollsBefore = sim.requests.filter((r) => r.path.endsWith('/list-by-condition') && JSON.stringify(r.body).includes(orphan)).length;
    const callback = await sim.sendCallback(orphan);
    assert.equal(callback.status, 200);
    await discord.waitFor(
      () => sim.requests.filter((r) => r.path.endsWith('/list-by-condition') && JSON.stringify(r.body).includes(orphan)).length > pollsBefore,
      'the survivor to poll the task the callback named',
    );

    const cards = await Promise.all(all.map((i) => finished(i)));
    assert.ok(takeoverMs <= LEASE_MS + 2_000, `taken over in ${takeoverMs} ms (lease ${LEASE_MS} ms)`);
    assert.equal(sim.requestCount('/submit/'), submitsBefore, 'no task submitted twice');
    for (const [i, interaction] of all.entries()) {
      const states = shownStates(discord, interaction, cards[i]!.id);
      assert.deepEqual(states, [...states].sort((x, y) => x - y), `never backwards: ${states}`);
      const bodies = discord.calls.filter((c) => c.method === 'PATCH' && c.status === 200 && c.params.token === interaction.token).map((c) => JSON.stringify(c.body));
      assert.equal(new Set(bodies).size, bodies.length, 'no edit sent twice');
    }
    for (let round = 0; round < 100 && (await healthOf(1)).fleet.processes !== 1; round += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await healthOf(1)).fleet.processes, 1, 'the dead process left the fleet (its heartbeat lives one lease)');
  });

  test('a button on a card the dead process finished works once its shard is back', async () => {
    const zeroAgain = spawn(0);
    await zeroAgain.waitForOutput(/connected to Discord/);
    sim.configure({ runMs: 1_000 });
    const click = discord.click(doneInShard0.id, buttonId(doneInShard0, 'U1'));
    const upscale = await finished(click);
    assert.match(embedText(upscale), /Upscale U1/);
  });
});
