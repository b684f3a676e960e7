import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/logger';
import { MjClient } from '../src/mj/client';
import { PROVIDERS } from '../src/mj/providers';
import { openStore, type Store } from '../src/store';
import { TaskPoller } from '../src/tasks/poller';
import { startTestSimulator, type TestSimulator } from './support/simulator';

const logger = createLogger({ level: 'silent', pretty: false });

/** The poller against the simulator over real HTTP: batches, fallback, memory of what the API offers. */
describe('the poller', () => {
  let sim: TestSimulator;
  let store: Store;
  let client: MjClient;
  const ids: string[] = [];
  before(async () => {
    sim = await startTestSimulator({ queueMs: 10, runMs: 60_000, imageSize: 16 });
    store = await openStore('memory://', logger);
    client = new MjClient({ baseUrl: sim.url, apiKey: undefined, authHeader: 'mj-api-secret', modePrefix: undefined, defaultMode: undefined, provider: PROVIDERS.custom, logger });
    for (let i = 0; i < 205; i += 1) ids.push((await client.submitImagine({ prompt: `task ${i}` })).taskId);
  });
  after(async () => {
    await client.close();
    await store.close();
    await sim.close();
  });

  it('asks about 205 tasks in 3 list-by-condition requests of at most 100 ids, and reports unknown ids as missing', async () => {
    sim.resetRequests();
    const poller = new TaskPoller(client, store, logger, 100);
    const { found, missing, failed } = await poller.poll([...ids, 'no-such-task']);
    const lists = sim.requests.filter((r) => r.path.endsWith('/list-by-condition'));
    assert.deepEqual(lists.map((r) => (r.body as { ids: string[] }).ids.length).sort((a, b) => a - b), [6, 100, 100]);
    assert.equal(found.size, 205);
    assert.deepEqual(missing, ['no-such-task'], 'an id the list left out is asked about alone, then reported missing');
    assert.deepEqual(failed, []);
    assert.equal(await store.meta.get(`list-by-condition:${sim.url}`), true, 'remembered: this API has the endpoint');
  });

  it('falls back to one fetch per task where list-by-condition is missing, and remembers it (also for a new poller)', async () => {
    sim.configure({ listByCondition: false });
    await store.meta.delete(`list-by-condition:${sim.url}`);
    try {
      const poller = new TaskPoller(client, store, logger, 100);
      sim.resetRequests();
      const { found } = await poller.poll(ids.slice(0, 5));
      assert.equal(found.size, 5);
      assert.equal(sim.requestCount('/list-by-condition'), 1, 'tried once');
      assert.equal(sim.requestCount('/fetch'), 5);
      const again = new TaskPoller(client, store, logger, 100);
      await again.load();
      sim.resetRequests();
      await again.poll(ids.slice(0, 3));
      assert.equal(sim.requestCount('/list-by-condition'), 0, 'not tried again');
      assert.equal(sim.requestCount('/fetch'), 3);
    } finally {
      sim.configure({ listByCondition: true });
    }
  });

  it('reports the tasks it could not ask about when the API fails', async () => {
    await store.meta.set(`list-by-condition:${sim.url}`, true);
    const poller = new TaskPoller(client, store, logger, 100);
    await poller.load();
    sim.setDown(true);
    try {
      const { found, failed } = await poller.poll(ids.slice(0, 3));
      assert.equal(found.size, 0);
      assert.deepEqual(failed.sort(), ids.slice(0, 3).sort());
    } finally {
      sim.setDown(false);
    }
  });
});

/** Most polls find most tasks unchanged: those answers are not parsed again, whichever other tasks a poll carried. */
describe('the poller remembers what it parsed', () => {
  let sim: TestSimulator;
  let store: Store;
  let client: MjClient;
  const ids: string[] = [];
  before(async () => {
    // Tasks that do not change while the test runs: one progress step in ten minutes.
    sim = await startTestSimulator({ queueMs: 0, runMs: 600_000, progressSteps: 1, imageSize: 16 });
    store = await openStore('memory://', logger);
    client = new MjClient({ baseUrl: sim.url, apiKey: undefined, authHeader: 'mj-api-secret', modePrefix: undefined, defaultMode: undefined, provider: PROVIDERS.custom, logger });
    for (let i = 0; i < 4; i += 1) ids.push((await client.submitImagine({ prompt: `steady ${i}` })).taskId);
  });
  after(async () => {
    await client.close();
    await store.close();
    await sim.close();
  });

  for (const listByCondition of [true, false]) {
    it(`keeps each task's parse across polls of other tasks until the task is forgotten (${listByCondition ? 'list-by-condition' : 'fetch per task'})`, async () => {
      sim.configure({ listByCondition });
      await store.meta.delete(`list-by-condition:${sim.url}`);
      try {
        const poller = new TaskPoller(client, store, logger, 100);
        const [first, ...others] = ids as [string, ...string[]];
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
        sim.configure({ listByCondition: true });
      }
    });
  }
});
