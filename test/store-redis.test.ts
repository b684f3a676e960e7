import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/logger';
import { Calendar } from '../src/limits/day';
import { QuotaLedger, type Member } from '../src/limits/ledger';
import { ServerSettings } from '../src/limits/server-settings';
import { UsageLog } from '../src/limits/usage-log';
import { openStore, type Store } from '../src/store';
import Keyv from 'keyv';
import { LocalCoordinator } from '../src/store/coordinator';
import { Fleet } from '../src/tasks/fleet';
import { starCount, Stars } from '../src/community/stars';
import { trackedTask } from './support/tasks';
import { redisMissing, startRedis, type TestRedis } from './support/redis';

const logger = createLogger({ level: 'silent', pretty: false });

describe('the store on Redis (a real redis-server)', { skip: redisMissing }, () => {
  let redis: TestRedis;
  let a: Store;
  let b: Store;
  before(async () => {
    redis = await startRedis();
    a = await openStore(redis.url, logger);
    b = await openStore(redis.url, logger);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('keeps every namespace apart, shared by every process', async () => {
    await a.tasks.set('1', { taskId: '1' } as never);
    await a.buttons.set('1', { taskId: 'x' } as never);
    assert.equal(((await b.tasks.get('1')) as { taskId: string }).taskId, '1', 'another process reads it');
    assert.equal(((await b.buttons.get('1')) as { taskId: string }).taskId, 'x');
    await b.buttons.clear();
    assert.ok(await a.tasks.get('1'), 'clearing one namespace leaves the others');
    const keys: string[] = [];
    for await (const [key] of a.tasks.iterator!(undefined)) keys.push(String(key));
    assert.deepEqual(keys, ['1'], 'the sweep can iterate a namespace');
  });

  it('gives every task in flight one owner; a lease that is not renewed is taken over', async () => {
    const [one, two] = [a.coordinator, b.coordinator];
    await one.addInFlight('t1');
    await one.addInFlight('t2');
    assert.deepEqual([...(await one.hold(['t1', 't2'], 200))].sort(), ['t1', 't2']);
    assert.deepEqual([...(await two.hold(['t1', 't2'], 200))], [], 'held by the other process');
    assert.deepEqual(await two.takeOrphans(200), [], 'no orphans while the owner renews');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual((await two.takeOrphans(5_000)).sort(), ['t1', 't2'], 'taken once the lease ran out');
    assert.deepEqual([...(await one.hold(['t1'], 5_000))], [], 'the old owner has lost it');
    await two.release(['t1']);
    await one.release(['t2']);
    assert.deepEqual([...(await two.hold(['t2'], 5_000))], ['t2'], 'only the holder releases a lease');
    await one.removeInFlight('t1');
    assert.deepEqual(await two.inFlight(), ['t2']);
  });

  it('a process edits its cards only while its leases surely last: from a renewal, the lease less a margin', async () => {
    // Past its leases another process may own a task and show a newer state: an edit from here would go backwards.
    const owned = ['t-fence'];
    const host = { owned: () => owned, adopt: async () => undefined, letGo: () => undefined };
    const fleet = new Fleet(host, a.coordinator, logger, { leaseMs: 1_000, shards: [0], clock: Date.now });
    assert.equal(fleet.mayEdit(), false, 'before any renewal');
    await fleet.keep();
    assert.equal(fleet.mayEdit(), true, 'just renewed');
    // 1 s lease, 250 ms margin: no edit 750 ms after the renewal began, until the next renewal.
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(fleet.mayEdit(), false, 'the lease may be running out');
    await fleet.keep();
    assert.equal(fleet.mayEdit(), true, 'renewed again');
    await a.coordinator.release(owned);
    const alone = new Fleet(host, new LocalCoordinator(new Keyv<string[]>()), logger, { leaseMs: 1_000, shards: [0], clock: Date.now });
    assert.equal(alone.mayEdit(), true, 'one process alone owns everything, always');
  });

  it('locks, claims and member counts are fleet-wide', async () => {
    const order: string[] = [];
    await Promise.all([
      a.coordinator.locked('k', async () => {
        order.push('a+');
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push('a-');
      }),
      new Promise((resolve) => setTimeout(resolve, 10)).then(() => b.coordinator.locked('k', async () => void order.push('b'))),
    ]);
    assert.deepEqual(order, ['a+', 'a-', 'b'], 'one at a time across processes');
    assert.equal(await a.coordinator.claim('click', 1_000), true);
    assert.equal(await b.coordinator.claim('click', 1_000), false, 'a double click on another process loses');
    await a.coordinator.unclaim('click');
    assert.equal(await b.coordinator.claim('click', 1_000), true);
    await a.coordinator.memberTask('g', 'u', '1', true);
    await b.coordinator.memberTask('g', 'u', '2', true);
    assert.equal(await a.coordinator.memberTaskCount('g', 'u'), 2);
    await b.coordinator.memberTask('g', 'u', '1', false);
    assert.equal(await a.coordinator.memberTaskCount('g', 'u'), 1);
  });

  it('hints reach every process, and heartbeats make the fleet', async () => {
    const heard: string[] = [];
    b.coordinator.onHint((id) => heard.push(id));
    await a.coordinator.hint('42');
    for (let i = 0; i < 100 && heard.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(heard, ['42']);
    await a.coordinator.beat({ shards: [0], owned: 3 }, 5_000);
    await b.coordinator.beat({ shards: [1], owned: 4 }, 5_000);
    const fleet = await a.coordinator.fleet();
    assert.deepEqual(fleet.map((p) => p.owned).sort(), [3, 4]);
    assert.notEqual(a.coordinator.processId, b.coordinator.processId);
  });

  it('two processes racing for a member\'s last slot: exactly one gets it; a slot left by a dead process frees itself', async () => {
    const quotasOf = (store: Store) => {
      const calendar = new Calendar('UTC');
      return new QuotaLedger({
        store,
        settings: new ServerSettings(store, Date.now),
        usage: new UsageLog(store, calendar, Date.now),
        calendar,
        logger,
        clock: Date.now,
        defaults: { daily: 1, concurrent: 1 },
        inFlight: (guildId, userId) => store.coordinator.memberTaskCount(guildId, userId),
      });
    };
    const [one, two] = [quotasOf(a), quotasOf(b)];
    for (let round = 0; round < 20; round += 1) {
      const member: Member = { guildId: '100000000000000001', userId: `2000000000000000${String(round).padStart(2, '0')}`, name: 'm', channelId: '3', roleIds: [], admin: false };
      const outcomes = await Promise.allSettled([one.reserve(member, 1), two.reserve(member, 1)]);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, `round ${round}: one of two processes takes the slot`);
      const ticket = outcomes.find((o) => o.status === 'fulfilled')!.value;
      await ticket.release();
      await two.reserve(member, 1).then((again) => again.release());
    }
    // A reservation whose process died before settling it counts only until its TTL.
    await a.coordinator.reserve('g:dead', 't1', 1, 150);
    assert.equal(await b.coordinator.reserved('g:dead'), 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await b.coordinator.reserved('g:dead'), 0, 'gone after its TTL');
  });

  it('stars of one image from two processes at once: every member counts once, a double click on either process once', async () => {
    const clock = () => 1_750_000_000_000;
    const [one, two] = [new Stars(a, clock, 86_400_000), new Stars(b, clock, 86_400_000)];
    const task = trackedTask({ taskId: 'starred-1', message: { guildId: 'g1', channelId: 'c1', messageId: 'm1', interaction: undefined }, expiresAt: clock() + 86_400_000 });
    const members = Array.from({ length: 10 }, (_, i) => `member-${i}`);
    const toggles = await Promise.all(members.map((member, i) => (i % 2 ? one : two).toggle(task, member)));
    assert.ok(toggles.every((toggle) => toggle.starred && !toggle.repeat));
    assert.equal(starCount(await one.get('starred-1')), 10, 'ten members at once on two processes: ten stars');
    const twice = await Promise.all([one.toggle(task, 'member-10'), two.toggle(task, 'member-10')]);
    assert.deepEqual(twice.map((toggle) => toggle.starred), [true, true]);
    assert.equal(twice.filter((toggle) => toggle.repeat).length, 1, 'one of the two clicks is the double click');
    assert.equal(starCount(await two.get('starred-1')), 11);
    assert.deepEqual((await two.favoritesOf('g1', 'member-3')).map((entry) => entry.taskId), ['starred-1'], 'the member’s favourites, shared');
    assert.equal(await one.claimShowcase('starred-1', 'c9'), true);
    assert.equal(await two.claimShowcase('starred-1', 'c9'), false, 'one showcase post, fleet-wide');
  });
});

describe('closing the store while Redis is away', { skip: redisMissing }, () => {
  let redis: TestRedis;
  after(() => redis?.stop());

  // The timeout only turns a hang into a failure: before closeRedis (src/store/redis-options.ts), QUIT on a client
  // still reconnecting waited for an answer for good, and so did the app's stop().
  it('ends, whether Redis is down or just back and the clients are still reconnecting', { timeout: 60_000 }, async () => {
    redis = await startRedis();
    const down = await openStore(redis.url, logger);
    const back = await openStore(redis.url, logger);
    await redis.kill();
    await assert.rejects(down.meta.get('ping'), 'the store cannot be reached');
    await down.close();
    await redis.start();
    await back.close();
  });
});
