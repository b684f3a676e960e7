import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { embedText, TestWorld } from './support/harness';
import { redisMissing, startRedis, type TestRedis } from './support/redis';
import { isDone } from './support/surface';

/** Issue 26: the store (Redis) going away and coming back, with the bot running all along. */

describe('Redis down and back, the bot running', { skip: redisMissing }, () => {
  let redis: TestRedis;
  let world: TestWorld;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mj-bridge-aof-'));
    redis = await startRedis({ aof: dir });
    world = await TestWorld.start({ env: { STORE_URL: redis.url }, simulator: { runMs: 3000 } });
  });
  after(async () => {
    await world?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a restart from the append-only file loses nothing the bot wrote', async () => {
    const interaction = await world.command('imagine', { prompt: 'a fox written down' });
    const card = await world.untilOriginal(interaction, isDone, 'the card');
    const taskId = /Task (\S+)/.exec(embedText(card))![1]!;
    await world.until(async () => (await world.app.store.usage.get(taskId))?.status === 'SUCCESS', 'its usage row to say SUCCESS');
    await redis.restart();
    await world.until(async () => (await world.app.store.tasks.get(taskId).catch(() => undefined))?.taskId === taskId, 'the record after the restart');
    assert.equal((await world.app.store.usage.get(taskId))?.status, 'SUCCESS', 'its usage row too');
  });

  test('while Redis is down: commands are refused privately with "try again in a minute" and nothing is sent; a card already running keeps updating; once it is back, the bot works again by itself', async () => {
    // A task long enough to be running all through the outage (the waits for its end count from its start, not the default 10 s).
    const runMs = 15_000;
    world.sim.configure({ runMs, progressSteps: 10 });
    const startedAt = Date.now();
    const running = await world.command('imagine', { prompt: 'a fox that runs through the outage' });
    await world.untilOriginal(running, (m) => /\d+%/.test(embedText(m)), 'its card running');
    world.sim.configure({ runMs: 3_000, progressSteps: 3 });
    await redis.kill();
    const submitsBefore = world.sim.requestCount('/submit/');
    const refused = await world.command('imagine', { prompt: 'a fox while the store is down' });
    assert.match(await world.privateAnswer(refused, 20_000), /cannot reach its storage.*try again in a minute/i);
    assert.equal(world.sim.requestCount('/submit/'), submitsBefore, 'nothing was sent to the API');
    // The task in memory goes on: polls and progress edits need no store (its final card, whose buttons must be
    // stored first, comes once the store is back).
    const percent = (text: string) => Number(/(\d+)%/.exec(text)?.[1] ?? -1);
    const before = percent(embedText(world.discord.original(running)!));
    await world.untilOriginal(running, (m) => percent(embedText(m)) > before, 'the running card to move on while Redis is down', 20_000);
    await redis.start();
    const after = await world.until(async () => {
      const interaction = await world.command('imagine', { prompt: 'a fox after the outage' });
      const answered = await world.discord.waitFor(() => {
        const original = world.discord.original(interaction);
        if (original && !(original.flags & 64) && /Task \S+/.test(embedText(original))) return 'started';
        return world.discord.followups(interaction).some((m) => m.flags & 64) || (original && original.flags & 64) ? 'refused' : undefined;
      }, 'an answer', 20_000);
      return answered === 'started' ? interaction : undefined;
    }, 'a command to work again', 30_000);
    await world.untilOriginal(after, isDone, 'the card after the outage');
    // Its run ends runMs after its start however fast the rest went: a CI run reached this line 5 s in, and a 10 s
    // wait timed out as the task finished.
    await world.untilOriginal(running, isDone, 'the card that ran through the outage, finished', Math.max(0, startedAt + runMs - Date.now()) + 10_000);
    const runningId = /Task (\S+)/.exec(embedText(world.discord.original(running)!))![1]!;
    await world.until(async () => (await world.app.store.tasks.get(runningId))?.lifecycle === 'delivered', 'its record written once the store was back');
    await world.until(async () => (await world.app.store.coordinator.memberTaskCount(world.discord.guildId, world.discord.alice.id)) === 0, 'no slot left taken');
  });

  test('Redis going away between the API accepting a task and the bot counting it: the card stays and finishes, the task counts once, and nobody is told to try again', async () => {
    const submits = world.sim.requestCount('/submit/imagine');
    // The API takes its time to answer the submit: Redis goes away meanwhile.
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, { delayMs: 2_000 });
    const interaction = await world.command('imagine', { prompt: 'a fox counted after the outage' });
    await world.until(async () => world.sim.requestCount('/submit/imagine') > submits, 'the submit on its way');
    await redis.kill();
    await world.until(async () => [...world.sim.tasks.values()].some((t) => t.prompt.includes('counted after the outage')), 'the API to accept it', 10_000);
    // The bot has its answer now, and the store is away: it waits for the store rather than giving up.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await redis.start();
    const card = await world.untilOriginal(interaction, isDone, 'the card, finished', 30_000);
    assert.equal(card.flags & 64, 0, 'the card is the public reply, not replaced by a private refusal');
    assert.ok(!world.discord.followups(interaction).some((m) => /try again/i.test(embedText(m) + m.content)), 'nobody was told to try again');
    assert.equal(world.sim.requestCount('/submit/imagine'), submits + 1, 'submitted once');
    const taskId = /Task (\S+)/.exec(embedText(card))![1]!;
    await world.until(async () => (await world.app.store.usage.get(taskId))?.status === 'SUCCESS', 'its usage row');
  });
});

describe('a bot-token edit held in discord.js’s queue while the leases run out (Redis away)', { skip: redisMissing }, () => {
  const LEASE_MS = 3_000;
  const MINUTE = 60_000;
  let redis: TestRedis;
  let world: TestWorld;
  before(async () => {
    redis = await startRedis();
    world = await TestWorld.start({
      env: { STORE_URL: redis.url, LEASE_MS: String(LEASE_MS), TASK_TIMEOUT_MS: String(60 * MINUTE), STALL_AFTER_MS: String(30 * MINUTE) },
      simulator: { runMs: 40_000, progressSteps: 20 },
    });
  });
  after(async () => {
    await world?.stop();
    await redis?.stop();
  });

  test('is called off rather than sent once another process may own the card; when Redis is back the card finishes', async () => {
    const interaction = await world.command('imagine', { prompt: 'a fox edited with the bot token' });
    const card = await world.untilOriginal(interaction, (m) => /\d+%/.test(embedText(m)), 'a progress edit');
    // Past the interaction token's 15 minutes: edits go through the channel with the bot token, through discord.js.
    world.clock.advance(16 * MINUTE);
    const channelEdits = () => world.discord.calls.filter((c) => c.route === 'PATCH /channels/:channel/messages/:message' && c.params.message === card.id);
    await world.until(() => channelEdits().some((c) => c.status === 200), 'an edit with the bot token', 20_000);
    // Discord says the route is empty for 6 s: discord.js holds that edit and tries it again then.
    world.discord.failNext({ method: 'PATCH', route: 'PATCH /channels/', status: 429, retryAfterMs: 6_000 });
    await world.until(() => channelEdits().some((c) => c.status === 429), 'the 429', 20_000);
    const limitedAt = Date.now();
    await redis.kill();
    // No renewal after the kill: the leases have run out LEASE_MS after it, and another process may own the task.
    // The held edit is due 6 s after the 429; 9 s give it time to be sent, if the bot would send it.
    await new Promise((resolve) => setTimeout(resolve, 9_000));
    const late = channelEdits().filter((c) => c.at > limitedAt + LEASE_MS);
    // Redis first: a failed assertion must not leave the bot without its store (stopping it would wait on Redis).
    await redis.start();
    assert.deepEqual(late.map((c) => `${c.status} ${embedText({ embeds: c.body?.embeds ?? [] } as never)}`), [], 'no edit reached Discord once the leases had run out');
    const done = await world.untilOriginal(interaction, isDone, 'the card, finished once Redis is back', 60_000);
    assert.ok(channelEdits().some((c) => c.status === 200 && c.at > limitedAt + 9_000), 'edited again once the leases were renewed');
    assert.equal(done.id, card.id, 'on the same message');
  });
});
