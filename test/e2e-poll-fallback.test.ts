import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LocalMessage } from '../src/playground/discord';
import { embedText, isFinished, TestWorld } from './support/harness';

const percentShown = (m: LocalMessage) => /\b\d{1,3}%/.test(embedText(m));

/** Issue 21: the API stops serving list-by-condition in the middle of a run; no task may stall. */
describe('list-by-condition answers 404 from the middle of a run on (real bot, local Discord, simulator)', () => {
  let world: TestWorld;
  before(async () => {
    // Long enough runs that the tasks are still going when the endpoint goes away.
    world = await TestWorld.start({ simulator: { queueMs: 100, runMs: 3000, progressSteps: 5 } });
  });
  after(() => world.stop());

  test('every card of 3 imagines reaches its final state, polled task by task after the switch', async () => {
    const interactions = await Promise.all([1, 2, 3].map((n) => world.command('imagine', { prompt: `a harbour at night ${n}` })));
    // Each card shows progress: the tasks were polled, in batches, while the endpoint was there.
    for (const interaction of interactions) await world.untilOriginal(interaction, percentShown, 'a progress edit');
    const servedBatches = world.sim.requests.filter((r) => r.path.endsWith('/list-by-condition') && r.status === 200);
    assert.ok(servedBatches.length > 0, 'list-by-condition was served at first');
    assert.equal(world.sim.requestCount('/fetch'), 0, 'no per-task fetch while batches were served');
    assert.ok(interactions.every((i) => !isFinished(world.discord.original(i)!)), 'still running at the switch');

    world.sim.configure({ listByCondition: false });
    const switchedAt = world.sim.requests.length;
    for (const interaction of interactions) {
      const done = await world.untilOriginal(interaction, isFinished, 'the final card after the switch', 20_000);
      assert.match(embedText(done), /a harbour at night/);
    }
    const since = world.sim.requests.slice(switchedAt);
    const lists = since.filter((r) => r.path.endsWith('/list-by-condition'));
    assert.ok(lists.every((r) => r.status === 404), 'the endpoint stayed away');
    // The polls under way at the switch may each have met one 404; none after that (the next probe is 10 minutes away).
    assert.ok(lists.length >= 1 && lists.length <= 3, `list-by-condition asked ${lists.length} times after the switch`);
    assert.ok(since.filter((r) => r.path.endsWith('/fetch')).length >= 3, 'the tasks were fetched one by one');
  });
});
