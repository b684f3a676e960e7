import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { findButtonTarget } from '../src/tasks/button-targets';
import { embedText, TestWorld } from './support/harness';
import { buttonId, isDone } from './support/surface';

const DAY = 86_400_000;
const RETENTION = 30 * DAY;
const taskIdIn = (text: string) => /Task (\S+)/.exec(text)?.[1] ?? '';

describe('store retention: nothing grows forever', () => {
  let world: TestWorld;
  afterEach(() => world?.stop());

  async function finishedGrid(prompt: string) {
    const interaction = await world.command('imagine', { prompt });
    const grid = await world.untilOriginal(interaction, isDone, 'the finished grid');
    return { interaction, grid, taskId: taskIdIn(embedText(grid)) };
  }

  test('a double-click record lasts its 30 s window, then is swept; U1–U4 stay one-shot', async () => {
    world = await TestWorld.start();
    const { grid } = await finishedGrid('a cat clicked twice');
    const v1 = buttonId(grid, 'V1');
    const first = world.discord.click(grid.id, v1);
    await world.discord.waitFor(() => world.discord.original(first) && world.sim.requestCount('/submit/action') === 1, 'the first V1');
    const twice = world.discord.click(grid.id, v1);
    assert.match(await world.privateAnswer(twice), /already on its way/);
    await world.until(async () => (await world.app.store.clicks.get(v1)) !== undefined, 'the click record');

    world.clock.advance(31_000);
    assert.ok((await world.app.store.sweep(world.clock.now(), RETENTION)) >= 1);
    assert.equal(await world.app.store.clicks.get(v1), undefined, 'the expired click record is deleted');
    const later = world.discord.click(grid.id, v1);
    await world.discord.waitFor(() => world.sim.requestCount('/submit/action') === 2, 'a V1 after the window starts a new task');
    await world.discord.answered(later);

    const u1 = buttonId(grid, 'U1');
    world.discord.click(grid.id, u1);
    await world.discord.waitFor(() => world.sim.requestCount('/submit/action') === 3, 'U1');
    world.clock.advance(31_000);
    await world.app.store.sweep(world.clock.now(), RETENTION);
    const again = world.discord.click(grid.id, u1);
    assert.match(await world.privateAnswer(again), /already on its way/, 'U1 once per card, even after the window');
  });

  test('a card older than RETENTION_DAYS says it expired; its task, buttons and message map are swept; tokens are not kept', async () => {
    world = await TestWorld.start();
    const { grid, taskId } = await finishedGrid('an old cat');
    const record = await world.until(async () => {
      const stored = await world.app.store.tasks.get(taskId);
      return stored?.lifecycle === 'delivered' ? stored : undefined;
    }, 'the final record');
    assert.equal(record.message.interaction, undefined, 'a finished task keeps no interaction token');
    assert.ok(record.expiresAt && record.expiresAt > world.clock.now() + RETENTION - DAY);

    world.clock.advance(RETENTION + DAY);
    const actionsBefore = world.sim.requestCount('/submit/action');
    const click = world.discord.click(grid.id, buttonId(grid, 'U2'));
    assert.match(await world.privateAnswer(click), /This card has expired\. Run `\/task` with the id in its footer, or start again/);
    assert.equal(world.sim.requestCount('/submit/action'), actionsBefore, 'nothing sent to the API');

    const removed = await world.app.store.sweep(world.clock.now(), RETENTION);
    assert.ok(removed >= 2, `the task (with its buttons) and the message map removed: ${removed}`);
    assert.equal(await world.app.store.tasks.get(taskId), undefined);
    assert.equal(await findButtonTarget(world.app.store, buttonId(grid, 'U2')), undefined, 'its buttons are gone with it');
    assert.equal(await world.app.store.messages.get(grid.id), undefined);
    const task = await world.command('task', { id: taskId });
    assert.match(await world.privateAnswer(task), /No task/);
  });

  test('a task in flight past 15 minutes drops its interaction token from the store', async () => {
    world = await TestWorld.start({ simulator: { runMs: 60_000 }, env: { STALL_AFTER_MS: String(3_600_000), TASK_TIMEOUT_MS: String(7_200_000) } });
    await world.command('imagine', { prompt: 'a slow cat' });
    const taskId = await world.discord.waitFor(() => [...world.sim.tasks.values()].find((t) => t.prompt === 'a slow cat')?.id, 'the task');
    const stored = await world.until(async () => (await world.app.store.tasks.get(taskId)) ?? false, 'the record');
    assert.ok(stored.message.interaction?.token, 'the token is kept while it lives');
    // Nothing changes on the card from here: only the bot's own clock can notice the token died.
    world.sim.stall(taskId, true);
    world.clock.advance(16 * 60_000);
    await world.until(async () => (await world.app.store.tasks.get(taskId))?.message.interaction === undefined, 'the expired token to be deleted');
  });
});
