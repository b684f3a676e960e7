import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import type { LocalMessage } from '../src/playground/discord';
import type { TrackedTask } from '../src/store';
import { buttonsOf, embedText, isFinished, TestWorld } from './support/harness';

const MINUTE = 60_000;
const webhookEdits = (world: TestWorld, token: string) =>
  world.discord.calls.filter((c) => c.route === 'PATCH /webhooks/:app/:token/messages/:message' && c.params.token === token);
const channelEdits = (world: TestWorld, messageId: string) =>
  world.discord.calls.filter((c) => c.route === 'PATCH /channels/:channel/messages/:message' && c.params.message === messageId && c.status === 200);

describe('past the 15-minute interaction token', () => {
  let world: TestWorld;
  afterEach(() => world?.stop());

  test('after 15 minutes the card is finished through channel edits with the bot token, on the same message', async () => {
    world = await TestWorld.start({ env: { TASK_TIMEOUT_MS: String(60 * MINUTE), STALL_AFTER_MS: String(30 * MINUTE) }, simulator: { runMs: 2500 } });
    const interactions = await Promise.all([1, 2, 3].map((n) => world.command('imagine', { prompt: `slow lake ${n}` })));
    for (const interaction of interactions) await world.untilOriginal(interaction, (m) => /\d+%/.test(embedText(m)), 'a progress edit');
    world.clock.advance(16 * MINUTE);
    for (const interaction of interactions) {
      const done = await world.untilOriginal(interaction, isFinished, 'the final card after the token expired');
      assert.ok(channelEdits(world, done.id).length >= 1, 'edited through the channel route');
      assert.ok(channelEdits(world, done.id).every((c) => c.authorized), 'with the bot token');
      assert.equal(done.attachments.length, 1);
    }
    assert.equal(world.discord.rateLimited, 0, 'no 429 from Discord');
  });

  test('a 50027 (token refused early) falls back to the channel message', async () => {
    world = await TestWorld.start({ discord: { tokenLifetimeMs: 10 * MINUTE }, env: { TASK_TIMEOUT_MS: String(60 * MINUTE), STALL_AFTER_MS: String(30 * MINUTE) }, simulator: { runMs: 2500 } });
    const interaction = await world.command('imagine', { prompt: 'a tired token' });
    await world.untilOriginal(interaction, (m) => /\d+%/.test(embedText(m)), 'a progress edit');
    world.clock.advance(12 * MINUTE);
    const done = await world.untilOriginal(interaction, isFinished, 'the final card');
    assert.ok(webhookEdits(world, interaction.token).some((c) => c.status === 401), 'Discord refused the token once');
    assert.ok(channelEdits(world, done.id).length >= 1);
  });

  test('a message past its edit cap (30046) is replaced by a fresh message', async () => {
    world = await TestWorld.start({ discord: { editCap: 1 }, simulator: { runMs: 1500 } });
    const interaction = await world.command('imagine', { prompt: 'an old message' });
    const fresh = await world.discord.waitFor(
      () => world.discord.messagesIn().find((m) => m.id !== interaction.originalId && isFinished(m) && /an old message/.test(embedText(m))),
      'a fresh message with the final card',
    );
    assert.equal(fresh.attachments.length, 1);
    const taskId = /Task (\S+)/.exec(embedText(fresh))?.[1];
    let mapped: string | undefined;
    for (let i = 0; i < 50 && mapped !== taskId; i += 1) {
      mapped = await world.app.store.messages.get(fresh.id);
      if (mapped !== taskId) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(mapped, taskId, 'the store maps the fresh message to its task');
  });
});

describe('deleted messages, stalls, timeouts', () => {
  let world: TestWorld;
  after(() => world?.stop());

  test('a card deleted by a member ends tracking quietly', async () => {
    world = await TestWorld.start({ env: { STALL_AFTER_MS: '10000', TASK_TIMEOUT_MS: '60000' }, simulator: { runMs: 2000 } });
    const interaction = await world.command('imagine', { prompt: 'a doomed card' });
    const card = await world.untilOriginal(interaction, (m) => /\d+%/.test(embedText(m)), 'a progress edit');
    const taskId = /Task (\S+)/.exec(embedText(card))![1]!;
    world.discord.deleteMessage(card.id);
    await world.discord.waitFor(() => !world.app.tracker.tracking(taskId), 'tracking to end');
    const record = await world.app.store.tasks.get(taskId);
    assert.equal(record?.lifecycle, 'detached');
    assert.ok(!world.logs.lines.some((l) => (l.level as number) >= 40), 'nothing logged as a warning or an error: Discord’s 10008 says the card is gone');

    const lookup = await world.command('task', { id: taskId });
    const answer = await world.discord.waitFor(() => {
      const message = world.discord.original(lookup);
      return message && message.embeds.length > 0 ? message : undefined;
    }, 'the /task answer');
    assert.equal(answer.flags & 64, 64, '/task answers privately');
    assert.match(embedText(answer), new RegExp(`Task ${taskId}`));
    assert.match(embedText(answer), /a doomed card/);
  });

  test('/task refuses ids this bot did not start in this server', async () => {
    const lookup = await world.command('task', { id: '1234567890' });
    assert.match(await world.privateAnswer(lookup), /No task `1234567890` was started by this bot in this server/);
  });

  test('a task that stops changing is shown as stalled, then failed with a clear reason after the hard timeout', async () => {
    const interaction = await world.command('imagine', { prompt: 'a stuck task' });
    const card = await world.untilOriginal(interaction, (m) => /\d+%/.test(embedText(m)), 'a progress edit');
    const taskId = /Task (\S+)/.exec(embedText(card))![1]!;
    world.sim.stall(taskId, true);
    world.clock.advance(11_000);
    const stalled = await world.untilOriginal(interaction, (m) => /still checking/i.test(embedText(m)), 'the stalled card');
    assert.match(embedText(stalled), /No news from Midjourney/);
    // Compared with a task that runs normally over the same polls (no timing assumed): 4× less often.
    world.sim.configure({ runMs: 60_000 });
    const control = await world.command('imagine', { prompt: 'a healthy task' });
    const controlId = /Task (\S+)/.exec(embedText(await world.untilOriginal(control, (m) => /Task \S+/.test(embedText(m)), 'the control card')))![1]!;
    world.sim.configure({ runMs: 900 });
    const polled = (id: string) => world.sim.requests.filter((r) => r.path.endsWith('/list-by-condition') && JSON.stringify(r.body).includes(id)).length;
    const [stalledBefore, controlBefore] = [polled(taskId), polled(controlId)];
    await world.discord.waitFor(() => polled(controlId) - controlBefore >= 12, '12 polls of the running task', 20_000);
    const stalledPolls = polled(taskId) - stalledBefore;
    assert.ok(stalledPolls <= 4, `a stalled task is polled about 4× less often (${stalledPolls} while the other was polled 12 times)`);
    world.clock.advance(60_000);
    const failed = await world.untilOriginal(interaction, (m) => /Failed/.test(embedText(m)), 'the timed-out card');
    assert.match(embedText(failed), /Timed out/);
    // The API never said FAILURE: the card's state did, and the member gets the task back.
    const usage = await world.until(async () => {
      const row = await world.app.store.usage.get(taskId);
      return row?.status === 'RUNNING' ? undefined : row;
    }, 'the usage row of the timed-out task');
    assert.deepEqual([usage.status, usage.refunded], ['FAILURE', true]);
  });

  test('a failure reported by the API shows its failReason', async () => {
    const interaction = await world.command('imagine', { prompt: 'a task that fails' });
    const card = await world.untilOriginal(interaction, (m) => /Task \S+/.test(embedText(m)), 'the first card');
    world.sim.failTask(/Task (\S+)/.exec(embedText(card))![1]!, 'Job action restricted');
    const failed = await world.untilOriginal(interaction, (m) => /Failed/.test(embedText(m)), 'the failed card');
    assert.match(embedText(failed), /Job action restricted/);
  });
});

describe('API trouble', () => {
  let world: TestWorld;
  after(() => world?.stop());

  test('API down: members are told, the circuit opens, and the task finishes once the API is back', async () => {
    world = await TestWorld.start({ simulator: { runMs: 1500 } });
    const interaction = await world.command('imagine', { prompt: 'a patient painter' });
    await world.untilOriginal(interaction, (m) => /Task \S+/.test(embedText(m)), 'the first card');
    world.sim.setDown(true);
    await world.untilOriginal(interaction, (m) => /not answering/i.test(embedText(m)), 'the card to say the API is not answering', 20_000);
    await world.discord.waitFor(() => world.app.ctx.upstreams.all[0]!.client.circuitState !== 'closed', 'the circuit to open', 20_000);

    const refused = await world.command('imagine', { prompt: 'while it is down' });
    assert.match(await world.privateAnswer(refused), /The Midjourney service cannot be reached right now/);

    // While open, the tracker keeps ticking but sends nothing; after the cooldown one probe goes out.
    const requestsWhileOpen = world.sim.requestCount();
    world.clock.advance(15_000);
    await world.discord.waitFor(() => world.sim.requestCount() > requestsWhileOpen, 'the probe after the cooldown');
    await world.discord.waitFor(() => world.app.ctx.upstreams.all[0]!.client.circuitState === 'open', 'the failed probe to open the circuit again');
    assert.equal(world.sim.requestCount() - requestsWhileOpen, 1, 'one probe, no hammering');

    world.sim.setDown(false);
    world.clock.advance(60_000);
    const done = await world.untilOriginal(interaction, isFinished, 'the card to finish after recovery', 20_000);
    assert.doesNotMatch(embedText(done), /not answering/i);
    assert.equal(world.app.ctx.upstreams.all[0]!.client.circuitState, 'closed');
  });

  test('a 5xx on submit is not retried (never charged twice); a 429 is retried', async () => {
    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, { status: 502, process: true });
    const before = world.sim.requestCount('/submit/imagine');
    const failed = await world.command('imagine', { prompt: 'charged once' });
    assert.match(await world.privateAnswer(failed), /The Midjourney service cannot be reached right now/);
    assert.equal(world.sim.requestCount('/submit/imagine') - before, 1);

    world.sim.injectNext({ pathIncludes: '/submit/imagine' }, { status: 429, body: { message: 'slow down' } });
    const retried = await world.command('imagine', { prompt: 'after a 429' });
    await world.untilOriginal(retried, isFinished, 'the task submitted after a 429');
    assert.equal(world.sim.requestCount('/submit/imagine') - before, 3);
  });
});

describe('Discord answering 429', () => {
  let world: TestWorld;
  after(() => world?.stop());

  test('429s on card edits are waited out; the card still arrives and no storm follows', async () => {
    world = await TestWorld.start({ simulator: { runMs: 1200 } });
    world.discord.failNext({ route: 'PATCH /webhooks', status: 429, retryAfterMs: 400, times: 2 });
    const interaction = await world.command('imagine', { prompt: 'rate limited' });
    await world.untilOriginal(interaction, isFinished, 'the final card');
    assert.equal(world.discord.rateLimited, 2, 'only the injected 429s happened');
  });
});

describe('an upgrade from the version before the state union', () => {
  let world: TestWorld;
  after(() => world?.stop());
  const taskIdOf = (message: LocalMessage) => /Task (\S+)/.exec(embedText(message))![1]!;
  /** A record as that version wrote it: what its card showed spread over `phase`, `apiTrouble` and `endReason`. */
  const asOldVersion = (record: TrackedTask, phase: string, extra: Record<string, unknown> = {}) => {
    const { state: _state, lifecycle: _lifecycle, ...rest } = record;
    return { ...rest, phase, endReason: undefined, ...extra } as never;
  };

  test('its records are read in the new shape after a restart: tasks in flight finish, one it had given up says why, a finished one stays finished', async () => {
    world = await TestWorld.start({ env: { STALL_AFTER_MS: String(30 * MINUTE), TASK_TIMEOUT_MS: String(60 * MINUTE) } });
    const grid = await world.untilOriginal(await world.command('imagine', { prompt: 'finished before the upgrade' }), isFinished, 'a final card');
    const finishedId = taskIdOf(grid);
    world.sim.configure({ runMs: 6_000 });
    const interactions = await Promise.all(['running', 'stalled', 'given up'].map((name) => world.command('imagine', { prompt: `${name} before the upgrade` })));
    const [runningId, stalledId, gaveUpId] = await Promise.all(
      interactions.map(async (interaction) => taskIdOf(await world.untilOriginal(interaction, (m) => /\d+%/.test(embedText(m)), 'progress before the upgrade'))),
    );
    const reason = 'Timed out: no result after 1 hour.';
    await world.restart(async (store) => {
      const stored = async (taskId: string) => (await store.tasks.get(taskId))!;
      await store.tasks.set(runningId!, asOldVersion(await stored(runningId!), 'active', { apiTrouble: true }));
      await store.tasks.set(stalledId!, asOldVersion(await stored(stalledId!), 'stalled'));
      const gaveUp = await stored(gaveUpId!);
      // That version ended a task by setting its status to FAILURE and its own reason; it stopped before the final edit.
      await store.tasks.set(gaveUpId!, asOldVersion(gaveUp, 'active', { view: { ...gaveUp.view, status: 'FAILURE' }, endReason: reason }));
      await store.tasks.set(finishedId, asOldVersion(await stored(finishedId), 'done'));
      // Written as done, but the process stopped before the in-flight registry heard of it.
      await store.inflight.set('ids', [...((await store.inflight.get('ids')) ?? []), finishedId]);
    });

    for (const [interaction, taskId] of [[interactions[0]!, runningId!], [interactions[1]!, stalledId!]] as const) {
      const done = await world.untilOriginal(interaction, isFinished, 'a task in flight at the upgrade to finish', 20_000);
      assert.equal(done.attachments.length, 1);
      const record = await world.until(async () => ((await world.app.store.tasks.get(taskId))?.lifecycle === 'delivered' ? world.app.store.tasks.get(taskId) : undefined), 'its record');
      assert.deepEqual(record?.state, { kind: 'done' });
      assert.ok(!('phase' in record!) && !('apiTrouble' in record!));
    }

    const failed = await world.untilOriginal(interactions[2]!, (m) => /Failed/.test(embedText(m)), 'the given-up card');
    assert.match(embedText(failed), /Timed out: no result after 1 hour/);
    assert.deepEqual((await world.app.store.tasks.get(gaveUpId!))?.state, { kind: 'failed', reason });
    assert.equal(world.app.tracker.tracking(gaveUpId!), false, 'its last card delivered, tracking ended');
    await world.until(async () => (await world.app.store.usage.get(gaveUpId!))?.refunded, 'the given-up task refunded');

    assert.equal(world.app.tracker.tracking(finishedId), false, 'a finished task is not taken up again');
    await world.until(async () => !(await world.app.store.inflight.get('ids'))?.includes(finishedId), 'the registry to forget it');
    const lookup = await world.command('task', { id: finishedId });
    const answer = await world.discord.waitFor(() => {
      const message = world.discord.original(lookup);
      return message && message.embeds.length > 0 ? message : undefined;
    }, 'the /task answer');
    assert.match(embedText(answer), /Done/);
    world.sim.configure({ runMs: 900 });
    const u1 = buttonsOf(grid).find((b) => b.label === 'U1')!.custom_id!;
    const upscale = await world.untilOriginal(world.discord.click(grid.id, u1), isFinished, 'an upscale from a button of the old card');
    assert.match(embedText(upscale), /Upscale U1/);
  });
});
