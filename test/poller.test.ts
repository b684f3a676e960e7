import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/logger';
import { MjClient } from '../src/mj/client';
import { PROVIDERS } from '../src/mj/providers';
import { openStore } from '../src/store';
import { TaskPoller } from '../src/tasks/poller';
import { startTestSimulator, type TestSimulatorOptions } from './support/simulator';

const logger = createLogger({ level: 'silent', pretty: false });

/** A simulator, a store and an API client with `count` tasks submitted; `close` stops them. */
async function pollerRig(simulator: TestSimulatorOptions, count: number) {
  const sim = await startTestSimulator(simulator);
  const store = await openStore('memory://', logger);
  const client = new MjClient({ baseUrl: sim.url, apiKey: undefined, authHeader: 'mj-api-secret', modePrefix: undefined, defaultMode: undefined, provider: PROVIDERS.custom, logger });
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) ids.push((await client.submitImagine({ prompt: `task ${i}` })).taskId);
  const close = async () => {
    await client.close();
    await store.close();
    await sim.close();
  };
  return { sim, store, client, ids, close };
}
type PollerRig = Awaited<ReturnType<typeof pollerRig>>;

/** The poller against the simulator over real HTTP: batches, fallback, memory of what the API offers. */
describe('the poller', () => {
  let rig: PollerRig;
  before(async () => {
    rig = await pollerRig({ queueMs: 10, runMs: 60_000, imageSize: 16 }, 205);
  });
  after(() => rig.close());

  it('asks about 205 tasks in 3 list-by-condition requests of at most 100 ids, and reports unknown ids as missing', async () => {
    rig.sim.resetRequests();
    const poller = new TaskPoller(rig.client, rig.store, logger, 100);
    const { found, missing, failed } = await poller.poll([...rig.ids, 'no-such-task']);
    const lists = rig.sim.requests.filter((r) => r.path.endsWith('/list-by-condition'));
    assert.deepEqual(lists.map((r) => (r.body as { ids: string[] }).ids.length).sort((a, b) => a - b), [6, 100, 100]);
    assert.equal(found.size, 205);
    assert.deepEqual(missing, ['no-such-task'], 'an id the list left out is asked about alone, then reported missing');
    assert.deepEqual(failed, []);
    assert.equal(await rig.store.meta.get(`list-by-condition:${rig.sim.url}`), true, 'remembered: this API has the endpoint');
  });

  it('falls back to one fetch per task where list-by-condition is missing, and remembers it (also for a new poller)', async () => {
    rig.sim.configure({ listByCondition: false });
    await rig.store.meta.delete(`list-by-condition:${rig.sim.url}`);
    try {
      const poller = new TaskPoller(rig.client, rig.store, logger, 100);
      rig.sim.resetRequests();
      const { found } = await poller.poll(rig.ids.slice(0, 5));
      assert.equal(found.size, 5);
      assert.equal(rig.sim.requestCount('/list-by-condition'), 1, 'tried once');
      assert.equal(rig.sim.requestCount('/fetch'), 5);
      const again = new TaskPoller(rig.client, rig.store, logger, 100);
      await again.load();
      rig.sim.resetRequests();
      await again.poll(rig.ids.slice(0, 3));
      assert.equal(rig.sim.requestCount('/list-by-condition'), 0, 'not tried again');
      assert.equal(rig.sim.requestCount('/fetch'), 3);
    } finally {
      rig.sim.configure({ listByCondition: true });
    }
  });

  it('reports the tasks it could not ask about when the API fails', async () => {
    await rig.store.meta.set(`list-by-condition:${rig.sim.url}`, true);
    const poller = new TaskPoller(rig.client, rig.store, logger, 100);
    await poller.load();
    rig.sim.setDown(true);
    try {
      const { found, failed } = await poller.poll(rig.ids.slice(0, 3));
      assert.equal(found.size, 0);
      assert.deepEqual(failed.sort(), rig.ids.slice(0, 3).sort());
    } finally {
      rig.sim.setDown(false);
    }
  });
});

/** Most polls find most tasks unchanged: those answers are not parsed again, whichever other tasks a poll carried. */
describe('the poller remembers what it parsed', () => {
  let rig: PollerRig;
  before(async () => {
    // Tasks that do not change while the test runs: one progress step in ten minutes.
    rig = await pollerRig({ queueMs: 0, runMs: 600_000, progressSteps: 1, imageSize: 16 }, 4);
  });
  after(() => rig.close());

  for (const listByCondition of [true, false]) {
    it(`keeps each task's parse across polls of other tasks until the task is forgotten (${listByCondition ? 'list-by-condition' : 'fetch per task'})`, async () => {
      rig.sim.configure({ listByCondition });
      await rig.store.meta.delete(`list-by-condition:${rig.sim.url}`);
      try {
        const poller = new TaskPoller(rig.client, rig.store, logger, 100);
        const [first, ...others] = rig.ids as [string, ...string[]];
        const before = (await poller.poll([first])).found.get(first);
        assert.ok(before);
        // Polls that carry only other tasks, as ticks of an aligned schedule do.
        for (const id of others) assert.ok((await poller.poll([id])).found.get(id));
        assert.equal((await poller.poll([first])).found.get(first), before, 'the same parse: the unchanged answer was not parsed again');
        poller.forget(first);
        const after = (await poller.poll([first])).found.get(first);
        assert.notEqual(after, before, 'parsed anew once forgotten');
        assert.deepEqual(after, before, 'to the same task');
      } finally {
        rig.sim.configure({ listByCondition: true });
      }
    });

    it(`parses a task again as soon as its answer changes (${listByCondition ? 'list-by-condition' : 'fetch per task'})`, async () => {
      rig.sim.configure({ listByCondition, queueMs: 0, runMs: 400 });
      await rig.store.meta.delete(`list-by-condition:${rig.sim.url}`);
      try {
        const [id] = [(await rig.client.submitImagine({ prompt: 'a task that finishes' })).taskId];
        const poller = new TaskPoller(rig.client, rig.store, logger, 100);
        const first = (await poller.poll([id])).found.get(id);
        assert.ok(first && first.status !== 'SUCCESS', `still running at first: ${first?.status}`);
        let last = first;
        for (let round = 0; round < 100 && last.status !== 'SUCCESS'; round += 1) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          last = (await poller.poll([id])).found.get(id) ?? last;
        }
        assert.equal(last.status, 'SUCCESS', 'the finished task, not the remembered running one');
        assert.notEqual(last, first);
      } finally {
        rig.sim.configure({ listByCondition: true, queueMs: 0, runMs: 600_000 });
      }
    });
  }
});
