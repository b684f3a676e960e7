import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Keyv from 'keyv';
import { createLogger } from '../src/logger';
import { openStore, type CardState, type TrackedTask } from '../src/store';
import { LocalCoordinator } from '../src/store/coordinator';
import { upgradeTask } from '../src/store/upgrade';
import { nextState, stateOfView } from '../src/tasks/card-state';
import { Fleet } from '../src/tasks/fleet';
import { emptyView } from '../src/tasks/view';
import { trackedTask } from './support/tasks';

const logger = createLogger({ level: 'silent', pretty: false });
const running = (progress = 40) => ({ ...emptyView('IN_PROGRESS'), progress });
const at = (state: CardState, view = running()) => trackedTask({ state, view });

describe("a card's state (src/tasks/card-state.ts)", () => {
  it('is what the API says while the bot knows nothing more; a queue position of 0 is still queued (next in line)', () => {
    assert.deepEqual(stateOfView(emptyView('SUBMITTED')), { kind: 'waiting' });
    assert.deepEqual(stateOfView(emptyView('SUBMITTED', 0)), { kind: 'queued', position: 0 });
    assert.deepEqual(stateOfView(emptyView('NOT_START', 3)), { kind: 'queued', position: 3 });
    assert.deepEqual(stateOfView(running()), { kind: 'running' });
    assert.deepEqual(stateOfView(emptyView('MODAL')), { kind: 'needs-prompt' });
    assert.deepEqual(stateOfView(emptyView('SUCCESS')), { kind: 'done' });
    assert.deepEqual(stateOfView(emptyView('FAILURE')), { kind: 'failed' });
    assert.deepEqual(stateOfView(emptyView('CANCEL')), { kind: 'cancelled' });
  });

  it('says the API is not answering until its next answer, which redraws the card even when the task did not move', () => {
    const task = at({ kind: 'running' });
    const troubled = nextState(task, { kind: 'unanswered' });
    assert.deepEqual(troubled, { kind: 'api-trouble' });
    assert.equal(nextState({ ...task, state: troubled }, { kind: 'unanswered' }), troubled, 'said once: no write, no edit');
    assert.deepEqual(nextState({ ...task, state: troubled }, { kind: 'answered', view: task.view }), { kind: 'running' });
    assert.deepEqual(nextState(at({ kind: 'stalled' }), { kind: 'unanswered' }), { kind: 'api-trouble' });
  });

  it('stalls only a task the API answers for, and keeps it stalled until it moves', () => {
    assert.deepEqual(nextState(at({ kind: 'running' }), { kind: 'quiet' }), { kind: 'stalled' });
    assert.deepEqual(nextState(at({ kind: 'waiting' }, emptyView()), { kind: 'quiet' }), { kind: 'stalled' });
    const stalled = at({ kind: 'stalled' });
    assert.equal(nextState(stalled, { kind: 'answered', view: running() }), stalled.state, 'the same report: still stalled');
    assert.deepEqual(nextState(stalled, { kind: 'answered', view: running(41) }), { kind: 'running' });
    const prompt = at({ kind: 'needs-prompt' }, emptyView('MODAL'));
    assert.equal(nextState(prompt, { kind: 'quiet' }), prompt.state, 'waiting for the member is not a stall');
    assert.equal(nextState(prompt, { kind: 'unanswered' }), prompt.state, 'the card keeps its Edit prompt button');
    const troubled = at({ kind: 'api-trouble' });
    assert.equal(nextState(troubled, { kind: 'quiet' }), troubled.state, 'API trouble is already said');
  });

  it('fails a task the bot gives up with its own reason; a final state changes no more', () => {
    assert.deepEqual(nextState(at({ kind: 'running' }), { kind: 'gave-up', reason: 'Timed out' }), { kind: 'failed', reason: 'Timed out' });
    for (const state of [{ kind: 'done' }, { kind: 'failed', reason: 'Timed out' }, { kind: 'cancelled' }] as CardState[]) {
      const task = at(state, emptyView('SUCCESS'));
      assert.equal(nextState(task, { kind: 'gave-up', reason: 'x' }), state);
      assert.equal(nextState(task, { kind: 'answered', view: emptyView('FAILURE') }), state);
      assert.equal(nextState(task, { kind: 'unanswered' }), state);
    }
  });
});

/** A record as the version before the state union wrote it. */
function oldRecord(phase: string, view: TrackedTask['view'], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { state: _state, lifecycle: _lifecycle, ...rest } = trackedTask({ view });
  return { ...rest, phase, endReason: undefined, ...extra };
}

describe('records written before the state union (src/store/upgrade.ts)', () => {
  it('reads each old phase, trouble and end reason as the state its card showed, and whether it is still followed', () => {
    const cases: Array<[Record<string, unknown>, CardState, string]> = [
      [oldRecord('active', emptyView('SUBMITTED')), { kind: 'waiting' }, 'tracked'],
      [oldRecord('active', emptyView('SUBMITTED', 2)), { kind: 'queued', position: 2 }, 'tracked'],
      [oldRecord('active', running()), { kind: 'running' }, 'tracked'],
      [oldRecord('active', running(), { apiTrouble: true }), { kind: 'api-trouble' }, 'tracked'],
      [oldRecord('stalled', running(), { apiTrouble: true }), { kind: 'stalled' }, 'tracked'],
      [oldRecord('stalled', emptyView('MODAL')), { kind: 'needs-prompt' }, 'tracked'],
      [oldRecord('active', emptyView('FAILURE'), { endReason: 'Timed out: no result after 1 hour.' }), { kind: 'failed', reason: 'Timed out: no result after 1 hour.' }, 'tracked'],
      [oldRecord('done', emptyView('FAILURE')), { kind: 'failed' }, 'delivered'],
      [oldRecord('done', emptyView('SUCCESS')), { kind: 'done' }, 'delivered'],
      [oldRecord('done', emptyView('CANCEL')), { kind: 'cancelled' }, 'delivered'],
      [oldRecord('detached', running()), { kind: 'running' }, 'detached'],
    ];
    for (const [old, state, lifecycle] of cases) {
      const read = upgradeTask(old) as TrackedTask & Record<string, unknown>;
      assert.deepEqual(read.state, state, JSON.stringify(old));
      assert.equal(read.lifecycle, lifecycle);
      for (const key of ['phase', 'apiTrouble', 'endReason']) assert.ok(!(key in read), `no ${key} left`);
      assert.deepEqual(read.view, old.view, 'the rest is kept');
      assert.equal(read.prompt, old.prompt);
    }
  });

  it('leaves records of this version and anything else as they are', () => {
    const current = trackedTask();
    assert.equal(upgradeTask(current), current);
    for (const other of [undefined, null, 'x', 3, { taskId: 't1' }]) assert.equal(upgradeTask(other), other);
  });

  it('is applied to every read of the store: get, many, the sweep’s iteration; nothing else changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mj-upgrade-'));
    const store = await openStore(`sqlite://${join(dir, 'bot.sqlite')}`, logger);
    try {
      const retentionMs = 1_000;
      await store.tasks.set('old-done', oldRecord('done', emptyView('SUCCESS'), { lastChangeAt: 1 }) as never);
      await store.tasks.set('old-active', oldRecord('active', running(), { lastChangeAt: 1 }) as never);
      await store.tasks.set('foreign', { taskId: 'foreign' } as never);
      assert.deepEqual((await store.tasks.get('old-active'))?.state, { kind: 'running' });
      assert.deepEqual((await store.tasks.get(['old-done', 'old-active'])).map((t) => t?.lifecycle), ['delivered', 'tracked']);
      assert.deepEqual(await store.tasks.get('foreign'), { taskId: 'foreign' });
      // An old finished record without expiresAt goes RETENTION_DAYS after its last change; one in flight stays.
      await store.sweep(10_000, retentionMs);
      assert.equal(await store.tasks.get('old-done'), undefined, 'swept: the sweep read it as delivered');
      assert.ok(await store.tasks.get('old-active'));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** One process's coordinator: counts its heartbeats, sees `theirs` held by another process and `orphans` to take. */
class FleetOfTwo extends LocalCoordinator {
  readonly beats: number[] = [];
  constructor(
    private readonly theirs: string[] = [],
    private orphaned: string[] = [],
  ) {
    super(new Keyv<string[]>());
  }
  override async beat(info: { owned: number }): Promise<void> {
    this.beats.push(info.owned);
  }
  override async hold(taskIds: readonly string[]): Promise<Set<string>> {
    return new Set(taskIds.filter((id) => !this.theirs.includes(id)));
  }
  override async takeOrphans(): Promise<string[]> {
    const taken = this.orphaned;
    this.orphaned = [];
    return taken;
  }
}

/** The tracker's side of the fleet: the tasks it follows, and what it adopted and let go. */
const tracking = (owned: string[]) => {
  const adopted: string[] = [];
  const letGone: string[] = [];
  return {
    adopted,
    letGone,
    owned: () => [...owned],
    adopt: async (ids: readonly string[]) => {
      adopted.push(...ids);
      owned.push(...ids);
    },
    letGo: (taskId: string) => {
      letGone.push(taskId);
      owned.splice(owned.indexOf(taskId), 1);
    },
  };
};

describe('the fleet (src/tasks/fleet.ts)', () => {
  it('at each tick lets go of the tasks another process holds, adopts those of processes that died, and beats with what it owns', async () => {
    const coordinator = new FleetOfTwo(['theirs'], ['orphan']);
    const host = tracking(['mine', 'theirs']);
    const fleet = new Fleet(host, coordinator, logger, { leaseMs: 3_000, shards: [], clock: () => 0 });
    await fleet.keep();
    assert.deepEqual(host.letGone, ['theirs']);
    assert.deepEqual(host.adopted, ['orphan']);
    assert.deepEqual(host.owned(), ['mine', 'orphan']);
    assert.deepEqual(coordinator.beats, [2], 'the heartbeat counts what it owns after the takeover');
  });

  it('beats on the injected clock: at most every 5 s, and thrice a lease', async () => {
    const coordinator = new FleetOfTwo();
    let now = 1_000;
    const fleet = new Fleet(tracking(['a']), coordinator, logger, { leaseMs: 30_000, shards: [0], clock: () => now });
    await fleet.keep();
    await fleet.keep();
    assert.deepEqual(coordinator.beats, [1], 'once until BEAT_MS has passed');
    now += 4_999;
    await fleet.keep();
    assert.equal(coordinator.beats.length, 1);
    now += 1;
    await fleet.keep();
    assert.equal(coordinator.beats.length, 2, 'the clock the fleet was given, not the wall');
    const short = new FleetOfTwo();
    const quick = new Fleet(tracking([]), short, logger, { leaseMs: 3_000, shards: [0], clock: () => now });
    await quick.keep();
    now += 1_000;
    await quick.keep();
    assert.equal(short.beats.length, 2, 'a 3 s lease: every second');
  });

  it('joins a task to the registries and takes it out of them when tracking ends', async () => {
    const coordinator = new FleetOfTwo();
    const fleet = new Fleet(tracking([]), coordinator, logger, { leaseMs: 3_000, shards: [], clock: () => 0 });
    const task = trackedTask({ taskId: 'mine' });
    await fleet.join(task);
    assert.deepEqual(await coordinator.inFlight(), ['mine']);
    assert.equal(await coordinator.memberTaskCount(task.message.guildId, task.requesterId), 1);
    await fleet.leave(task);
    assert.deepEqual(await coordinator.inFlight(), []);
    assert.equal(await coordinator.memberTaskCount(task.message.guildId, task.requesterId), 0);
  });
});

describe("the tracker's rules, read from the source", () => {
  const TASKS = fileURLToPath(new URL('../src/tasks/', import.meta.url));
  const SRC = fileURLToPath(new URL('../src/', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));

  it('only the tracker writes task records', () => {
    const writers = files(SRC).filter((file) => /\btasks\.set\(/.test(readFileSync(file, 'utf8')) && !file.includes('/simulator/'));
    assert.deepEqual(writers.map((file) => file.slice(SRC.length)), ['tasks/tracker.ts']);
  });

  it('src/tasks reads one clock: wall time only where requests are paced in real seconds', () => {
    const wall = files(TASKS).filter((file) => /Date\.now\(\)/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(wall.map((file) => file.slice(TASKS.length)), ['rate-gate.ts']);
  });
});
