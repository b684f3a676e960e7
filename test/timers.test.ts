import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { CircuitBreaker } from '../src/mj/http';
import { createLogger } from '../src/logger';
import { EditQueue } from '../src/tasks/edit-queue';
import { HintBatcher } from '../src/tasks/hints';
import { RateGate } from '../src/tasks/rate-gate';
import { PollSchedule } from '../src/tasks/schedule';

/** Lets promise callbacks that are ready run (mocked timers do not advance on their own). */
const settle = async (rounds = 200) => {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
};

describe('time-driven parts, with node:test mock timers', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  describe('the circuit breaker', () => {
    it('opens after the threshold, lets one probe through after the cooldown, doubles it up to 60 s, and closes on success', () => {
      const circuit = new CircuitBreaker(3, 10_000, Date.now);
      for (let i = 0; i < 2; i += 1) circuit.failure();
      assert.equal(circuit.state, 'closed');
      circuit.failure();
      assert.equal(circuit.state, 'open');
      assert.equal(circuit.allow(), false);
      mock.timers.tick(9_999);
      assert.equal(circuit.allow(), false, 'still cooling down');
      mock.timers.tick(1);
      assert.equal(circuit.allow(), true, 'one probe');
      assert.equal(circuit.allow(), false, 'only one');
      circuit.failure();
      assert.equal(circuit.state, 'open');
      mock.timers.tick(10_000);
      assert.equal(circuit.allow(), false, 'the cooldown doubled to 20 s');
      mock.timers.tick(10_000);
      assert.equal(circuit.allow(), true);
      for (let i = 0; i < 5; i += 1) {
        circuit.failure();
        mock.timers.tick(60_000);
        assert.equal(circuit.allow(), true, 'never more than 60 s');
      }
      circuit.success();
      assert.equal(circuit.state, 'closed');
      assert.equal(circuit.allow(), true);
    });
  });

  describe('the sliding-window gate', () => {
    it('lets `limit` starts through per window and the next one as soon as the oldest leaves it', async () => {
      const gate = new RateGate(3, 1_000);
      const started: number[] = [];
      for (let i = 0; i < 5; i += 1) void gate.take().then(() => started.push(Date.now()));
      await settle();
      assert.equal(started.length, 3);
      mock.timers.tick(999);
      await settle();
      assert.equal(started.length, 3, 'not before the window has passed');
      mock.timers.tick(2);
      await settle();
      assert.equal(started.length, 5);
      assert.ok(started.slice(3).every((at) => at >= 1_001_000));
    });
  });

  describe('the edit queue', () => {
    it('coalesces repeated pushes, serves finals first, runs one edit per task at a time, and re-runs a task pushed while running', async () => {
      const runs: string[] = [];
      const gates = new Map<string, () => void>();
      const queue = new EditQueue(
        (taskId) => {
          runs.push(taskId);
          return new Promise<void>((resolve) => gates.set(taskId, resolve));
        },
        { concurrency: 1, perSecond: 1_000 },
      );
      queue.push('a');
      queue.push('b');
      queue.push('b');
      queue.push('c', true);
      await settle();
      assert.deepEqual(runs, ['a'], 'one at a time');
      queue.push('a');
      gates.get('a')!();
      await settle();
      assert.deepEqual(runs, ['a', 'c'], 'the final state first');
      gates.get('c')!();
      await settle();
      gates.get('b')!();
      await settle();
      gates.get('a')!();
      await settle();
      assert.deepEqual(runs, ['a', 'c', 'b', 'a'], 'b once (coalesced); a again (pushed while it ran)');
      await queue.idle();
      assert.equal(queue.size, 0);
    });

    it('keeps to its edits per second', async () => {
      const runs: number[] = [];
      const queue = new EditQueue(async () => void runs.push(Date.now()), { concurrency: 10, perSecond: 2 });
      for (const id of ['a', 'b', 'c', 'd']) queue.push(id);
      await settle();
      assert.equal(runs.length, 2);
      mock.timers.tick(1_001);
      await settle();
      assert.equal(runs.length, 4);
    });

    it('idle() gives up after its timeout', async () => {
      const queue = new EditQueue(() => new Promise<void>(() => undefined), { concurrency: 1, perSecond: 10 });
      queue.push('stuck');
      let idle = false;
      void queue.idle(5_000).then(() => (idle = true));
      mock.timers.tick(4_999);
      await settle();
      assert.equal(idle, false);
      mock.timers.tick(1);
      await settle();
      assert.equal(idle, true);
      queue.stop();
    });
  });

  describe('hint batching', () => {
    /** A schedule of `ids`, a batcher whose polls are recorded, and a way to end the poll in progress. */
    const rig = (ids: string[]) => {
      const schedule = new PollSchedule(60_000);
      for (const id of ids) schedule.add(id, Date.now());
      const polls: string[][] = [];
      let release = () => undefined as void;
      const hints = new HintBatcher(schedule, (due) => {
        polls.push(due);
        return new Promise<void>((resolve) => (release = resolve));
      }, createLogger({ level: 'silent', pretty: false }));
      return { hints, polls, end: () => release() };
    };

    it('polls the tasks named within 20 ms together, and those named during that poll right after it', async () => {
      const { hints, polls, end } = rig(['a', 'b', 'c']);
      hints.start();
      hints.hint('a');
      mock.timers.tick(10);
      hints.hint('b');
      hints.hint('unknown');
      mock.timers.tick(9);
      await settle();
      assert.deepEqual(polls, [], 'not before 20 ms');
      mock.timers.tick(1);
      await settle();
      assert.deepEqual(polls, [['a', 'b']], 'one poll for both; an id not followed here is ignored');
      hints.hint('c');
      mock.timers.tick(100);
      await settle();
      assert.equal(polls.length, 1, 'not while the first poll runs');
      end();
      await settle();
      mock.timers.tick(20);
      await settle();
      assert.deepEqual(polls, [['a', 'b'], ['c']], 'right after it');
      hints.stop();
    });

    it('polls nothing before start() or after stop()', async () => {
      const { hints, polls } = rig(['a']);
      hints.hint('a');
      mock.timers.tick(1_000);
      await settle();
      assert.deepEqual(polls, [], 'not started: the periodic poll takes it');
      hints.start();
      hints.hint('a');
      hints.stop();
      mock.timers.tick(1_000);
      await settle();
      assert.deepEqual(polls, [], 'the pending poll is cancelled');
    });
  });

  describe('the poll schedule', () => {
    it('asks about every due task together at the start of each period, on the same boundaries in every process', () => {
      mock.timers.tick(250);
      const one = new PollSchedule(1_000);
      const two = new PollSchedule(1_000);
      one.add('a', Date.now());
      mock.timers.tick(300);
      one.add('b', Date.now());
      two.add('c', Date.now());
      assert.deepEqual(one.takeDue(Date.now()), [], 'just submitted: from the next period');
      mock.timers.tick(449);
      assert.deepEqual(one.takeDue(Date.now()), []);
      mock.timers.tick(1);
      assert.deepEqual(one.takeDue(Date.now()), ['a', 'b'], 'together, in one batch');
      assert.deepEqual(two.takeDue(Date.now()), ['c'], 'another process polls at the same moment');
      assert.deepEqual(one.takeDue(Date.now()), [], 'once a period');
    });

    it('running and queued tasks every period, stalled and called-back ones every 4th; a callback makes its task due at once', () => {
      const schedule = new PollSchedule(1_000);
      const now = () => Date.now();
      for (const id of ['running', 'queued', 'stalled', 'hooked']) schedule.add(id, now(), true);
      assert.deepEqual(schedule.takeDue(now()).sort(), ['hooked', 'queued', 'running', 'stalled'], 'resumed tasks: at once');
      assert.equal(schedule.hint('hooked'), true);
      assert.deepEqual(schedule.takeDue(now()), ['hooked'], 'a callback makes its task due at once');
      schedule.answered('running', now(), { status: 'IN_PROGRESS', stalled: false });
      schedule.answered('queued', now(), { status: 'SUBMITTED', stalled: false });
      schedule.answered('stalled', now(), { status: 'IN_PROGRESS', stalled: true });
      schedule.answered('hooked', now(), { status: 'IN_PROGRESS', stalled: false });
      const polls: Record<string, number[]> = {};
      for (let t = 100; t <= 8_000; t += 100) {
        mock.timers.tick(100);
        for (const id of schedule.takeDue(now())) (polls[id] ??= []).push(t);
      }
      assert.deepEqual(polls.running, [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000]);
      assert.deepEqual(polls.queued, polls.running);
      assert.deepEqual(polls.stalled, [4_000, 5_000, 6_000, 7_000, 8_000], 'every 4th period until answered again');
    });

    it('spreads a period’s groups of tasks evenly over it: one request per group, no burst at its start', () => {
      const schedule = new PollSchedule(1_000);
      for (const id of ['a', 'b', 'c', 'd', 'e']) schedule.add(id, Date.now(), true);
      const polls: Array<[number, string[]]> = [];
      for (let t = 0; t < 1_000; t += 50) {
        const due = schedule.takeDue(Date.now(), 2);
        if (due.length) polls.push([t, due]);
        mock.timers.tick(50);
      }
      assert.deepEqual(polls, [[0, ['a', 'b']], [350, ['c', 'd']], [700, ['e']]], 'three groups of at most 2, at 0, 1/3 and 2/3 of the period');
    });

    it('groups each API’s tasks apart: N tasks on one API cost it ⌈N/batch⌉ requests a period, whatever the others hold', () => {
      const schedule = new PollSchedule(1_000, (id) => id.slice(0, 1));
      for (const id of ['a1', 'b1', 'b2', 'a2', 'b3', 'b4', 'a3', 'b5']) schedule.add(id, Date.now(), true);
      /** Requests a period sends each lane with batches of 2 (the tracker polls a tick's due tasks together, split by API), and when. */
      const period = () => {
        const requests: Record<string, number[]> = { a: [], b: [] };
        for (let t = 0; t < 1_000; t += 50) {
          const due = schedule.takeDue(Date.now(), 2);
          for (const lane of ['a', 'b'] as const) {
            const mine = due.filter((id) => id.startsWith(lane)).length;
            for (let n = 0; n < Math.ceil(mine / 2); n += 1) requests[lane]!.push(t);
          }
          mock.timers.tick(50);
        }
        return requests;
      };
      assert.deepEqual(period(), { a: [0, 500], b: [0, 350, 700] }, '3 tasks on a: 2 requests; 5 on b: 3, spread over the period');
      schedule.delete('b1');
      schedule.delete('unknown');
      assert.deepEqual(period(), { a: [0, 500], b: [0, 500] }, 'a task deleted leaves its lane’s groups: 4 on b make 2');
    });

    it('counts misses until an answer, and forgets deleted tasks', () => {
      const schedule = new PollSchedule(1_000);
      schedule.add('x', Date.now(), true);
      assert.equal(schedule.missed('x'), 1);
      assert.equal(schedule.missed('x'), 2);
      schedule.answered('x', Date.now(), { status: 'IN_PROGRESS', stalled: false });
      assert.equal(schedule.missed('x'), 1);
      schedule.delete('x');
      assert.equal(schedule.hint('x'), false);
      assert.deepEqual(schedule.takeDue(Date.now() + 10_000), []);
    });
  });
});
