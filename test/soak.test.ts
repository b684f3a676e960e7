import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultSchedule, seeded } from '../scripts/soak/faults';

/** Issue 26: a soak's faults come from its seed alone, so SOAK_SEED replays a run. */
describe('the soak’s fault schedule', () => {
  it('is the same for the same seed, and another for another seed', () => {
    assert.deepEqual(faultSchedule(42, 10), faultSchedule(42, 10));
    assert.notDeepEqual(faultSchedule(42, 10), faultSchedule(43, 10));
    assert.deepEqual([seeded(7)(), seeded(7)()], [seeded(7)(), seeded(7)()]);
  });

  it('fires every kind of fault in a 10-minute run, none in its last sixth, spaced out', () => {
    for (const seed of [1, 2, 3]) {
      const plan = faultSchedule(seed, 10);
      assert.equal(new Set(plan.map((f) => f.kind)).size, 9, `seed ${seed}: every kind`);
      assert.ok(plan.every((f) => f.at < 500), 'none in the last 100 s');
      plan.slice(1).forEach((f, i) => assert.ok(f.at - plan[i]!.at >= 25, 'at least 25 s apart'));
    }
    assert.ok(faultSchedule(5, 2).length >= 2, 'a 2-minute run (CI) still fires faults');
  });
});
