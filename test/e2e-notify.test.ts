import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FakeMessage } from './support/fake-discord';
import { embedText, isFinished, TestWorld } from './support/harness';
import { freePort } from './support/ports';

const percentsOf = (world: TestWorld, token: string) =>
  world.discord.calls
    .filter((c) => c.route === 'PATCH /webhooks/:app/:token/messages/:message' && c.params.token === token)
    .map((c) => /(\d+)%/.exec(JSON.stringify(c.body))?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number);

describe('notifyHook callbacks', () => {
  let world: TestWorld;
  let hook: string;
  before(async () => {
    const port = await freePort();
    // Polling every 10 minutes: anything that arrives during a test came through the callback.
    world = await TestWorld.start({
      env: { HTTP_PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, POLL_INTERVAL_MS: '600000' },
      simulator: { runMs: 1500 },
    });
  });
  after(() => world.stop());

  test('every submit carries a notifyHook with a secret, and the callbacks alone drive the card to its end', async () => {
    const interaction = await world.command('imagine', { prompt: 'a called-back cat' });
    const submit = await world.discord.waitFor(() => world.sim.requests.find((r) => r.path.endsWith('/submit/imagine')), 'the submit');
    hook = String((submit?.body as { notifyHook?: string }).notifyHook);
    assert.match(hook, /^http:\/\/127\.0\.0\.1:\d+\/mj\/notify\/[\w-]{20,}$/);
    await world.untilOriginal(interaction, isFinished, 'the final card from callbacks alone');
    assert.equal(world.sim.requestCount('/list-by-condition'), 0, 'no poll was needed');
    assert.ok(!world.logs.text.includes(hook.split('/').pop()!), 'the secret is never logged');
  });

  test('duplicated and out-of-order callbacks never move a card backwards', async () => {
    world.sim.configure({ notifyDuplicate: true, notifyShuffle: true });
    try {
      const interaction = await world.command('imagine', { prompt: 'a shuffled dog' });
      const done = await world.untilOriginal(interaction, isFinished, 'the final card');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const percents = percentsOf(world, interaction.token);
      assert.deepEqual(percents, [...percents].sort((a, b) => a - b), `progress only rises: ${percents}`);
      assert.equal(new Set(percents).size, percents.length, `no duplicate edits: ${percents}`);
      const final = world.discord.message(done.id) as FakeMessage;
      assert.ok(isFinished(final), 'still final after late callbacks');
    } finally {
      world.sim.configure({ notifyDuplicate: false, notifyShuffle: false });
    }
  });

  test('forged, malformed, oversized and unknown callbacks are refused or ignored', async () => {
    const secretless = hook.replace(/[^/]+$/, 'not-the-secret-not-the-secret-xx');
    const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal((await post(secretless, JSON.stringify({ id: '1', status: 'SUCCESS' }))).status, 404);
    assert.equal((await fetch(hook)).status, 404, 'GET is not a callback');
    assert.equal((await post(hook, '{not json')).status, 400);
    assert.equal((await post(hook, JSON.stringify({ hello: 'world' }))).status, 400);
    assert.equal((await post(hook, JSON.stringify({ id: '1', status: 'SUCCESS', prompt: 'x'.repeat(2_000_000) }))).status, 413);
    const messagesBefore = world.discord.messagesIn().length;
    const unknown = await post(hook, JSON.stringify({ id: '999999999', status: 'SUCCESS', progress: '100%', imageUrl: 'http://127.0.0.1:1/x.png' }));
    assert.equal(unknown.status, 200);
    assert.deepEqual(await unknown.json(), { ok: true, applied: false });
    assert.equal(world.discord.messagesIn().length, messagesBefore, 'an unknown id changes nothing');
  });

  test('/healthz reports gateway, store, API and tasks in flight', async () => {
    const health = await fetch(`http://127.0.0.1:${world.app.httpPort}/healthz`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as Record<string, unknown>;
    assert.equal(body.gateway, 'ready');
    assert.equal(body.store, 'ok');
    assert.equal(body.api, 'ok');
    assert.equal(typeof body.tasksInFlight, 'number');
    assert.match(embedText(world.discord.messagesIn()[0]!), /Imagine/);
  });
});
