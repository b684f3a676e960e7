import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { faultSchedule, seeded } from '../scripts/soak/faults';
import { rssFlat, type RssSample } from '../scripts/soak/invariants';

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

/** Issue 26, invariant 5: growth is measured over each process's own life. */
describe('the soak’s RSS check', () => {
  const MB = 1048576;
  /** One process's samples every 5 s from `start` (run seconds) for `seconds`, its RSS from `mb(age in s)`. */
  const life = (pid: number, start: number, seconds: number, mb: (age: number) => number): RssSample[] =>
    Array.from({ length: seconds / 5 }, (_v, i) => ({ at: (start + i * 5) * 1000, pid, age: i * 5000, rss: mb(i * 5) * MB }));

  it('passes a process that stays flat, and one replaced by a fresh process that holds more', () => {
    assert.equal(rssFlat([life(1, 0, 600, () => 120)]).ok, true);
    const replaced = [...life(1, 0, 400, () => 118), ...life(2, 400, 200, () => 138)];
    assert.equal(rssFlat([replaced]).ok, true, 'the fresh process is not compared with the one it replaced');
  });

  it('fails a process that grows more than 10 % over its life, and names it', () => {
    const verdict = rssFlat([life(1, 0, 600, () => 120), life(7, 0, 600, (age) => 100 + age / 10)]);
    assert.equal(verdict.ok, false);
    assert.match(verdict.line, /process 1\/7: 151 MB, above 121 MB \+ 10 %/);
  });

  it('compares no process with less than 2 minutes past its warm-up (a 2-minute run)', () => {
    assert.match(rssFlat([life(1, 0, 120, (age) => 100 + age)]).line, /none ran 2 minutes past its warm-up/);
  });
});

/**
 * Issue 26, requirement 3: scripts/soak/breaks holds one patch per pair of invariants, each breaking what they guard
 * (the README's "Soak" shows the runs). A patch that no longer applies would show nothing, so each is checked here.
 */
describe('the soak’s deliberate breaks', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = join(root, 'scripts', 'soak', 'breaks');
  const patches = readdirSync(dir).filter((f) => f.endsWith('.patch'));

  it('cover the six invariants and still apply to the code', () => {
    assert.equal(patches.length, 3);
    for (const patch of patches) execFileSync('git', ['apply', '--check', join(dir, patch)], { cwd: root, stdio: 'pipe' });
  });
});
