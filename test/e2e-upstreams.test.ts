import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { LocalInteraction, LocalMessage } from '../src/playground/discord';
import { embedText, TestWorld } from './support/harness';
import { freePort } from './support/ports';
import { startTestSimulator, type TestSimulator } from './support/simulator';
import { buttonId, isDone } from './support/surface';

/** Issue 23: two APIs behind one bot, each a simulator of its own. */

/** A card's task key, as its footer shows it: the API's id, prefixed by the API's name but for the first API. */
const taskIdOf = (card: LocalMessage) => /Task (\S+)/.exec(embedText(card))?.[1];
/** The id the API itself gave. */
const apiIdOf = (card: LocalMessage) => taskIdOf(card)!.split(':').at(-1)!;
const submits = (sim: TestSimulator, path = '/submit/') => sim.requests.filter((r) => r.method === 'POST' && r.path.includes(path)).length;
const bodies = (sim: TestSimulator, suffix: string) => sim.requests.filter((r) => r.path.endsWith(suffix)).map((r) => (r.body ?? {}) as Record<string, unknown>);

describe('several APIs behind one bot', () => {
  let world: TestWorld;
  let alpha: TestSimulator;
  let beta: TestSimulator;
  let base: string;
  before(async () => {
    alpha = await startTestSimulator({ queueMs: 150, runMs: 900, progressSteps: 3, imageSize: 64 });
    beta = await startTestSimulator({ queueMs: 150, runMs: 900, progressSteps: 3, imageSize: 64 });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    world = await TestWorld.start({
      env: {
        MJ_API_URL: '',
        MJ_UPSTREAMS: JSON.stringify([
          { name: 'alpha', url: alpha.url, key: 'alpha-key-0123456789' },
          { name: 'beta', url: beta.url, key: 'beta-key-0123456789' },
        ]),
        HTTP_PORT: String(port),
        PUBLIC_URL: base,
        DEFAULT_CONCURRENT_TASKS: '20',
        DEFAULT_DAILY_TASKS: '100',
      },
    });
    // The alert channel: the local Discord's second channel (its id is known once it runs).
    Object.assign(world.app.config, { ALERT_CHANNEL_ID: world.discord.world.otherChannelId });
  });
  after(async () => {
    await world?.stop();
    await alpha?.close();
    await beta?.close();
  });
  afterEach(async () => {
    alpha.clearFaults();
    beta.clearFaults();
    await alpha.resume();
    await beta.resume();
    alpha.setDown(false);
    beta.setDown(false);
    // Every API back up before the next test (a success brings one back: a fresh bot would not know otherwise).
    for (const upstream of world.app.ctx.upstreams.all) upstream.health.succeeded();
  });

  /** What the alert channel was told about `api`. */
  const alerts = (api: string) =>
    [...world.discord.world.messages.values()].filter((m) => m.channel_id === world.discord.world.otherChannelId && m.content.includes(`**${api}**`)).map((m) => m.content);

  /** Runs /imagine and waits for its finished card. */
  async function imagine(prompt: string): Promise<{ interaction: LocalInteraction; card: LocalMessage }> {
    const interaction = await world.command('imagine', { prompt });
    const card = await world.untilOriginal(interaction, isDone, `the card of “${prompt}”`, 15_000);
    return { interaction, card };
  }

  test('weights 1:1 split ten tasks 5/5; each carries the notifyHook of its own API', async () => {
    const [a0, b0] = [submits(alpha, '/submit/imagine'), submits(beta, '/submit/imagine')];
    await Promise.all(Array.from({ length: 10 }, (_, i) => imagine(`an even split ${i}`)));
    assert.deepEqual([submits(alpha, '/submit/imagine') - a0, submits(beta, '/submit/imagine') - b0], [5, 5]);
    assert.match(String(bodies(alpha, '/submit/imagine').at(-1)?.notifyHook), /\/mj\/notify\/[\w-]+\/alpha$/);
    assert.match(String(bodies(beta, '/submit/imagine').at(-1)?.notifyHook), /\/mj\/notify\/[\w-]+\/beta$/);
  });

  test('U1 on a grid made by each API reaches that API only', async () => {
    const grids = await Promise.all([imagine('a grid for U1 one'), imagine('a grid for U1 two')]);
    for (const { card } of grids) {
      const id = apiIdOf(card);
      const own = alpha.tasks.has(id) ? alpha : beta;
      const other = own === alpha ? beta : alpha;
      const [ownBefore, otherBefore] = [submits(own, '/submit/action'), submits(other, '/submit/action')];
      const u1 = world.discord.click(card.id, buttonId(card, 'U1'));
      await world.untilOriginal(u1, isDone, 'the upscale');
      assert.equal(submits(own, '/submit/action') - ownBefore, 1, 'the upscale went to the API that made the grid');
      assert.equal(submits(other, '/submit/action') - otherBefore, 0, 'and to no other');
      assert.equal(bodies(own, '/submit/action').at(-1)?.taskId, id, 'with that API’s own id');
    }
  });

  test('an API that refuses every submit (code 3): four new tasks all finish on the other, each submitted there once', async () => {
    for (let i = 0; i < 4; i += 1) alpha.injectNext({ method: 'POST', pathIncludes: '/submit/imagine' }, { status: 200, body: { code: 3, description: '无可用的账号实例', result: null } });
    const [a0, b0] = [submits(alpha, '/submit/imagine'), submits(beta, '/submit/imagine')];
    const cards = [];
    for (let i = 0; i < 4; i += 1) cards.push(await imagine(`no account on alpha ${i}`));
    assert.equal(submits(beta, '/submit/imagine') - b0, 4, 'each on beta, once');
    assert.ok(submits(alpha, '/submit/imagine') - a0 <= 1, 'alpha was asked once, then set aside');
    for (const { card } of cards) assert.ok(beta.tasks.has(apiIdOf(card)));
    const health = (await (await fetch(`${base}/healthz`)).json()) as { upstreams: Array<{ name: string; state: string; lastError?: string }> };
    assert.deepEqual(health.upstreams.map((u) => [u.name, u.state]), [['alpha', 'refusing'], ['beta', 'up']]);
    assert.match(health.upstreams[0]!.lastError ?? '', /无可用的账号实例/);
    const told = await world.discord.waitFor(() => (alerts('alpha').length ? alerts('alpha') : undefined), 'the alert');
    assert.equal(told.length, 1, 'one message for one change');
    assert.match(told[0]!, /refuses new tasks: 无可用的账号实例/);
  });

  test('an API stopped (connection refused): new tasks go to the other; a button on its card is refused privately and nothing is sent', async () => {
    const made = await Promise.all([imagine('before the stop one'), imagine('before the stop two')]);
    const onAlpha = made.find(({ card }) => alpha.tasks.has(apiIdOf(card)))!;
    await alpha.pause();
    const b0 = submits(beta, '/submit/imagine');
    await Promise.all([imagine('while alpha is stopped one'), imagine('while alpha is stopped two')]);
    assert.equal(submits(beta, '/submit/imagine') - b0, 2, 'both on beta');
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200, 'healthy while one API is up');
    const upstreams = ((await health.json()) as { upstreams: Array<{ name: string; state: string }> }).upstreams;
    assert.notEqual(upstreams[0]!.state, 'up');
    assert.equal(upstreams[1]!.state, 'up');
    const betaActions = submits(beta, '/submit/action');
    const click = world.discord.click(onAlpha.card.id, buttonId(onAlpha.card, 'U2'));
    assert.match(await world.privateAnswer(click), /service that made this image is not answering/);
    assert.equal(submits(beta, '/submit/action'), betaActions, 'nothing went to beta');
    assert.ok(world.discord.original(onAlpha.interaction)!.components.length > 0, 'the card keeps its buttons');
    assert.equal(alerts('alpha').filter((text) => /is not answering/.test(text)).length, 1, 'one alert, however many requests failed');
  });

  test('an ambiguous failure (the connection dropped after the body was sent) is not sent to another API', async () => {
    // Whichever API gets it, the connection is cut after the request arrived: the task may exist there.
    alpha.setDown(true, 'reset');
    beta.setDown(true, 'reset');
    const [a0, b0] = [submits(alpha, '/submit/imagine'), submits(beta, '/submit/imagine')];
    const interaction = await world.command('imagine', { prompt: 'a task that may exist' });
    assert.match(await world.privateAnswer(interaction, 15_000), /cannot be reached|not answering|try again/i);
    assert.equal(submits(alpha, '/submit/imagine') - a0 + (submits(beta, '/submit/imagine') - b0), 1, 'sent once, to one API');
  });

  test('task ids that collide on two APIs stay two tasks, each with its own card and its own buttons', async () => {
    const first = await imagine('a collision, first');
    const id = apiIdOf(first.card);
    const other = alpha.tasks.has(id) ? beta : alpha;
    other.forceIds(id);
    // The next task goes to the other API (weighted turns alternate), which gives it the same id.
    const second = await imagine('a collision, second');
    assert.equal(apiIdOf(second.card), id, 'both APIs gave the same id');
    assert.notEqual(taskIdOf(second.card), taskIdOf(first.card), 'the bot keeps two keys');
    assert.match(embedText(first.card), /a collision, first/);
    assert.match(embedText(world.discord.original(second.interaction)!), /a collision, second/);
    const before = submits(other, '/submit/action');
    const u3 = world.discord.click(second.card.id, buttonId(second.card, 'U3'));
    await world.untilOriginal(u3, isDone, 'the upscale of the second');
    assert.equal(submits(other, '/submit/action') - before, 1, 'the second card’s button went to its own API');
    const rows = await world.app.ctx.usage.rows(world.discord.guildId, 1);
    assert.deepEqual(rows.filter((row) => row.taskId.endsWith(id)).map((row) => row.upstream ?? 'alpha').sort(), ['alpha', 'beta'], 'two usage rows, one per API');
  });
});
