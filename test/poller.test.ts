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

/** A clock the poller reads, moved by hand: the probe interval passes without waiting. */
function handClock() {
  const clock = { at: 1_000_000, now: () => clock.at, advance: (ms: number) => void (clock.at += ms) };
  return clock;
}
const TEN_MINUTES = 10 * 60_000;

/**
 * An API that served list-by-condition and then stops (a proxy replaced behind the same URL, a reseller refusing
 * it): the poller goes task by task at once, remembers it, and tries batching again every ten minutes (issue 21).
 */
describe('the poller when list-by-condition stops being served', () => {
  let rig: PollerRig;
  const key = () => `list-by-condition:${rig.sim.url}`;
  before(async () => {
    rig = await pollerRig({ queueMs: 10, runMs: 600_000, imageSize: 16 }, 5);
  });
  after(() => rig.close());

  /** A poller for which list-by-condition worked before (remembered in the store). */
  async function servedBefore(batchSize: number, clock = handClock()) {
    await rig.store.meta.set(key(), true);
    const poller = new TaskPoller(rig.client, rig.store, logger, batchSize, { clock: clock.now });
    await poller.load();
    return poller;
  }

  async function pollCounting(poller: TaskPoller) {
    rig.sim.resetRequests();
    const result = await poller.poll(rig.ids);
    return { ...result, lists: rig.sim.requestCount('/list-by-condition'), fetches: rig.sim.requestCount('/fetch') };
  }

  const everyTask = (result: { found: Map<string, unknown>; missing: string[]; failed: string[] }) => {
    assert.deepEqual([...result.found.keys()].sort(), [...rig.ids].sort(), 'every task answered');
    assert.deepEqual(result.missing, []);
    assert.deepEqual(result.failed, []);
  };

  it('goes task by task in the very poll that got a 404, no longer asks, probes every 10 minutes, and batches again once served', async () => {
    await rig.store.meta.delete(key());
    const clock = handClock();
    // Chunks of 2: 5 tasks make 3 list-by-condition requests while batching.
    const poller = new TaskPoller(rig.client, rig.store, logger, 2, { clock: clock.now });
    try {
      const served = await pollCounting(poller);
      everyTask(served);
      assert.deepEqual([served.lists, served.fetches], [3, 0], 'batched while served');
      assert.equal(await rig.store.meta.get(key()), true);

      rig.sim.configure({ listByCondition: false });
      const switched = await pollCounting(poller);
      everyTask(switched);
      assert.ok(switched.lists >= 1 && switched.lists <= 3, `the chunks asked at once were refused: ${switched.lists}`);
      assert.equal(switched.fetches, 5, 'the refused chunks were fetched task by task in the same poll');
      assert.equal(await rig.store.meta.get(key()), false, 'remembered in the store');

      const after = await pollCounting(poller);
      everyTask(after);
      assert.deepEqual([after.lists, after.fetches], [0, 5], 'task by task, list-by-condition not asked');
      const restarted = new TaskPoller(rig.client, rig.store, logger, 2, { clock: clock.now });
      await restarted.load();
      assert.equal((await pollCounting(restarted)).lists, 0, 'a new poller knows it from the store');

      clock.advance(TEN_MINUTES - 1);
      assert.equal((await pollCounting(poller)).lists, 0, 'not before the probe interval');
      clock.advance(1);
      const probed = await pollCounting(poller);
      everyTask(probed);
      assert.deepEqual([probed.lists, probed.fetches], [1, 5], 'one list-by-condition probe; still refused, every task fetched');
      assert.equal((await pollCounting(poller)).lists, 0, 'the next probe is an interval away');

      rig.sim.configure({ listByCondition: true });
      clock.advance(TEN_MINUTES);
      const back = await pollCounting(poller);
      everyTask(back);
      assert.deepEqual([back.lists, back.fetches], [3, 0], 'the probe worked: batched again, in the same poll');
      assert.equal(await rig.store.meta.get(key()), true, 'remembered in the store');
      const batched = await pollCounting(poller);
      assert.deepEqual([batched.lists, batched.fetches], [3, 0]);
    } finally {
      rig.sim.configure({ listByCondition: true });
    }
  });

  // Refusals: answers that will be the same next round, whatever is sent again.
  const refusals: Array<[string, { status: number; body?: unknown; rawBody?: string }]> = [
    ['a 403 (a reseller refusing it)', { status: 403, body: { code: 403, description: 'list-by-condition is not available on your plan' } }],
    ['a 405', { status: 405, rawBody: 'Method Not Allowed' }],
    ['a JSON refusal code ("不支持")', { status: 200, body: { code: 9, description: '不支持的接口' } }],
    ['a code 4 refusal of the request', { status: 400, body: { code: 4, description: 'ids: invalid parameter' } }],
  ];
  for (const [what, reply] of refusals) {
    it(`goes task by task after ${what}`, async () => {
      const poller = await servedBefore(100);
      rig.sim.injectNext({ method: 'POST', pathIncludes: '/list-by-condition' }, reply);
      const refused = await pollCounting(poller);
      everyTask(refused);
      assert.deepEqual([refused.lists, refused.fetches], [1, 5], 'fetched one by one in the same poll');
      const after = await pollCounting(poller);
      assert.deepEqual([after.lists, after.fetches], [0, 5], 'no list-by-condition any more');
      assert.equal(await rig.store.meta.get(key()), false);
    });
  }

  // Passing trouble: these tasks count as failed this round and the same batch is sent next round.
  const troubles: Array<[string, { status?: number; destroySocket?: boolean }]> = [
    ['a burst of 503', { status: 503 }],
    ['connections cut', { destroySocket: true }],
    ['a burst of 429', { status: 429 }],
  ];
  for (const [what, reply] of troubles) {
    it(`keeps batching through ${what}`, async () => {
      const poller = await servedBefore(100);
      // Every attempt of one request (MjHttp sends a read up to 4 times).
      for (let i = 0; i < 4; i += 1) rig.sim.injectNext({ method: 'POST', pathIncludes: '/list-by-condition' }, reply);
      const troubled = await pollCounting(poller);
      assert.equal(troubled.found.size, 0);
      assert.deepEqual([...troubled.failed].sort(), [...rig.ids].sort(), 'the tasks failed this round');
      assert.equal(troubled.fetches, 0, 'not fetched one by one');
      assert.equal(await rig.store.meta.get(key()), true, 'still batching');
      const after = await pollCounting(poller);
      everyTask(after);
      assert.deepEqual([after.lists, after.fetches], [1, 0], 'the same batch next round');
    });
  }

  it('a probe that meets passing trouble fetches its tasks, and stays task by task until the next probe', async () => {
    const clock = handClock();
    const poller = await servedBefore(100, clock);
    rig.sim.configure({ listByCondition: false });
    try {
      everyTask(await pollCounting(poller));
      clock.advance(TEN_MINUTES);
      rig.sim.configure({ listByCondition: true });
      for (let i = 0; i < 4; i += 1) rig.sim.injectNext({ method: 'POST', pathIncludes: '/list-by-condition' }, { status: 503 });
      const probed = await pollCounting(poller);
      everyTask(probed);
      assert.deepEqual([probed.lists, probed.fetches], [4, 5], 'one probe (sent 4 times), then every task fetched');
      assert.equal(await rig.store.meta.get(key()), false);
      assert.equal((await pollCounting(poller)).lists, 0, 'no probe before the interval');
      clock.advance(TEN_MINUTES);
      const back = await pollCounting(poller);
      everyTask(back);
      assert.deepEqual([back.lists, back.fetches], [1, 0]);
    } finally {
      rig.sim.configure({ listByCondition: true });
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
