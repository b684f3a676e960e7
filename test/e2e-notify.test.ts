import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { LocalMessage } from '../src/playground/discord';
import { embedText, isFinished, TestWorld } from './support/harness';
import { freePort } from './support/ports';

const percentsOf = (world: TestWorld, token: string) =>
  world.discord.calls
    .filter((c) => c.route === 'PATCH /webhooks/:app/:token/messages/:message' && c.params.token === token)
    .map((c) => /(\d+)%/.exec(JSON.stringify(c.body))?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number);

const taskIdOf = (message: LocalMessage) => /Task (\S+)/.exec(embedText(message))?.[1] ?? '';
/** Polls (list-by-condition) that asked about `taskId`, answered. */
const pollsOf = (world: TestWorld, taskId: string) =>
  world.sim.requests.filter((r) => r.path.endsWith('/list-by-condition') && r.status === 200 && JSON.stringify(r.body).includes(taskId)).length;

describe('notifyHook callbacks are hints', () => {
  let world: TestWorld;
  let hook: string;
  before(async () => {
    const port = await freePort();
    // Polling every 10 minutes: any poll during a test was asked for by a callback.
    world = await TestWorld.start({
      env: { HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, POLL_INTERVAL_MS: '600000' },
      simulator: { runMs: 1500 },
    });
  });
  after(() => world.stop());

  test('every submit carries a notifyHook with a secret; each callback makes the task polled at once, to its end', async () => {
    const interaction = await world.command('imagine', { prompt: 'a called-back cat' });
    const submit = await world.discord.waitFor(() => world.sim.requests.find((r) => r.path.endsWith('/submit/imagine')), 'the submit');
    hook = String((submit?.body as { notifyHook?: string }).notifyHook);
    assert.match(hook, /^http:\/\/127\.0\.0\.1:\d+\/mj\/notify\/[\w-]{20,}$/);
    const done = await world.untilOriginal(interaction, isFinished, 'the final card, polled on each callback');
    assert.ok(pollsOf(world, taskIdOf(done)) >= 1, 'the card came from polls the callbacks triggered');
    assert.ok(!world.logs.text.includes(hook.split('/').pop()!), 'the secret is never logged');
  });

  test('duplicated and out-of-order callbacks never move a card backwards', async () => {
    world.sim.configure({ notifyDuplicate: true, notifyShuffle: true });
    try {
      const interaction = await world.command('imagine', { prompt: 'a shuffled dog' });
      const done = await world.untilOriginal(interaction, isFinished, 'the final card');
      await world.app.tracker.idle();
      const percents = percentsOf(world, interaction.token);
      assert.deepEqual(percents, [...percents].sort((a, b) => a - b), `progress only rises: ${percents}`);
      assert.equal(new Set(percents).size, percents.length, `no duplicate edits: ${percents}`);
      assert.ok(isFinished(world.discord.message(done.id) as LocalMessage), 'still final after late callbacks');
    } finally {
      world.sim.configure({ notifyDuplicate: false, notifyShuffle: false });
    }
  });

  test('a forged SUCCESS for a task still running does not finish its card: the poll it triggers decides', async () => {
    const finished = world.discord.messagesIn().find(isFinished)!;
    const otherId = taskIdOf(finished);
    world.sim.configure({ runMs: 120_000 });
    try {
      const interaction = await world.command('imagine', { prompt: 'a slow heron' });
      const submit = await world.discord.waitFor(
        () => world.sim.requests.find((r) => r.path.endsWith('/submit/imagine') && JSON.stringify(r.body).includes('slow heron')),
        'the submit',
      );
      const taskId = await world.discord.waitFor(() => [...world.sim.tasks.values()].find((t) => t.prompt.includes('slow heron'))?.id, 'the task');
      assert.ok(submit);
      const pollsBefore = pollsOf(world, taskId);
      // What an attacker who learned the hook URL sends: another task's finished image and buttons.
      const other = world.sim.getTask(otherId) as Record<string, unknown>;
      const forged = await world.sim.sendCallback(taskId, { status: 'SUCCESS', progress: '100%', imageUrl: other.imageUrl, buttons: other.buttons, finishTime: Date.now() });
      assert.equal(forged.status, 200);
      assert.equal(forged.body, '{}');
      await world.discord.waitFor(() => pollsOf(world, taskId) > pollsBefore, 'the poll the callback asked for');
      await world.app.tracker.idle();
      const card = world.discord.original(interaction)!;
      assert.ok(!isFinished(card), 'the card is not finished by a forged callback');
      assert.doesNotMatch(embedText(card), /Done/);
      const edits = world.discord.calls.filter((c) => c.params.token === interaction.token && c.method === 'PATCH');
      assert.ok(edits.every((c) => !/Done/.test(JSON.stringify(c.body))), 'no edit ever showed it finished');
      assert.equal(world.app.tracker.tracking(taskId), true, 'still followed');
    } finally {
      world.sim.configure({ runMs: 1500 });
    }
  });

  test('every callback gets the same 200 {} on the right path, known id or not; wrong secrets look like unknown paths', async () => {
    const secretless = hook.replace(/[^/]+$/, 'not-the-secret-not-the-secret-xx');
    const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal((await post(secretless, JSON.stringify({ id: '1', status: 'SUCCESS' }))).status, 404);
    assert.equal((await fetch(hook)).status, 404, 'GET is not a callback');
    assert.equal((await post(hook, JSON.stringify({ id: '1', status: 'SUCCESS', prompt: 'x'.repeat(2_000_000) }))).status, 413);
    const messagesBefore = world.discord.messagesIn().length;
    const known = taskIdOf(world.discord.messagesIn().find(isFinished)!);
    for (const body of ['{not json', JSON.stringify({ hello: 'world' }), JSON.stringify({ id: '999999999', status: 'SUCCESS', imageUrl: 'http://127.0.0.1:1/x.png' }), JSON.stringify({ id: known, status: 'FAILURE' })]) {
      const answer = await post(hook, body);
      assert.equal(answer.status, 200, body.slice(0, 40));
      assert.equal(await answer.text(), '{}', 'the same answer whatever the body');
    }
    assert.equal(world.discord.messagesIn().length, messagesBefore, 'callbacks create nothing');
  });

  test('/healthz reports gateway, store, API and tasks in flight', async () => {
    const health = await fetch(`http://127.0.0.1:${world.app.httpPort}/healthz`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as Record<string, unknown>;
    assert.equal(body.gateway, 'ready');
    assert.equal(body.store, 'ok');
    assert.equal(body.api, 'ok');
    assert.equal(typeof body.tasksInFlight, 'number');
  });
});

describe('notifyHook secrets and providers', () => {
  let world: TestWorld | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  test('NOTIFY_SECRET: the first secret is sent, every listed one is accepted (rotation), others are not', async () => {
    const port = await freePort();
    const [fresh, old] = ['fresh-secret-0123456789abcdef', 'old-secret-0123456789abcdef'];
    world = await TestWorld.start({ env: { HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, NOTIFY_SECRET: `${fresh},${old}` } });
    await world.command('imagine', { prompt: 'a rotated key' });
    const submit = await world.discord.waitFor(() => world!.sim.requests.find((r) => r.path.endsWith('/submit/imagine')), 'the submit');
    assert.equal((submit.body as { notifyHook?: string }).notifyHook, `http://127.0.0.1:${port}/mj/notify/${fresh}`);
    const post = (secret: string) => fetch(`http://127.0.0.1:${port}/mj/notify/${secret}`, { method: 'POST', body: '{"id":"1"}' });
    assert.equal((await post(old)).status, 200, 'the previous secret still works while rotating');
    const derived = 'x'.repeat(32);
    assert.equal((await post(derived)).status, 404);
  });

  test('providers that do not call back (new-api resellers) get no notifyHook', async () => {
    const port = await freePort();
    world = await TestWorld.start({
      simulator: { family: 'reseller', apiKey: 'reseller-key' },
      env: { MJ_PROVIDER: 'new-api', MJ_API_KEY: 'reseller-key', HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
    });
    await world.command('imagine', { prompt: 'an unhooked owl' });
    const submit = await world.discord.waitFor(() => world!.sim.requests.find((r) => r.path.endsWith('/submit/imagine')), 'the submit');
    assert.equal((submit.body as { notifyHook?: string }).notifyHook, undefined);
  });
});
