import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayOf, lastDays, nextDayStart } from '../src/limits/day';
import { emptySettings, limitsFor } from '../src/limits/quota';
import { usageCsv } from '../src/limits/usage';
import { findBannedWord } from '../src/limits/words';
import { capMode, stripSpeedFlags, typedMode, withModeFlag } from '../src/mj/modes';
import type { UsageRow } from '../src/store';

describe('speed modes in prompts', () => {
  it('finds and removes every typed speed flag, with -- or a dash, anywhere', () => {
    assert.equal(typedMode('a cat --turbo'), 'turbo');
    assert.equal(typedMode('—fast a cat'), 'fast');
    assert.equal(typedMode('a –relax cat --fast'), 'fast', 'the last one typed');
    assert.equal(typedMode('a --fastidious cat'), undefined);
    assert.equal(stripSpeedFlags('a —fast cat –relax --turbo --ar 3:2'), 'a cat --ar 3:2');
    assert.equal(withModeFlag('a cat --turbo', 'relax'), 'a cat --relax');
    assert.equal(withModeFlag('a cat --turbo', undefined), 'a cat');
  });
  it('caps a mode at the fastest allowed', () => {
    assert.equal(capMode('turbo', 'relax'), 'relax');
    assert.equal(capMode('relax', 'fast'), 'relax');
    assert.equal(capMode('fast', undefined), 'fast');
  });
});

describe('limits by role', () => {
  const guildId = '100000000000000000';
  const settings = emptySettings();
  settings.limits[guildId] = { daily: 10, concurrent: 1 };
  settings.limits.patron = { daily: 100, concurrent: 3 };
  settings.limits.muted = { daily: 0, concurrent: 1 };
  settings.modes[guildId] = 'relax';
  settings.modes.patron = 'fast';
  const defaults = { daily: 25, concurrent: 2 };
  it('@everyone is the default; the most generous of each wins', () => {
    assert.deepEqual(limitsFor(settings, { guildId, roleIds: [] }, defaults), { daily: 10, concurrent: 1, fastest: 'relax' });
    assert.deepEqual(limitsFor(settings, { guildId, roleIds: ['patron', 'muted'] }, defaults), { daily: 100, concurrent: 3, fastest: 'fast' });
  });
  it('a server that set nothing gets the env defaults and no mode cap', () => {
    assert.deepEqual(limitsFor(emptySettings(), { guildId, roleIds: ['x'] }, defaults), { daily: 25, concurrent: 2, fastest: undefined });
  });
});

describe('banned words', () => {
  it('whole words, any case; inside the text for scripts without spaces', () => {
    assert.equal(findBannedWord('A Forbidden fox', ['forbidden']), 'forbidden');
    assert.equal(findBannedWord('forbiddenfruit', ['forbidden']), undefined);
    assert.equal(findBannedWord('un-forbidden?', ['forbidden']), 'forbidden');
    assert.equal(findBannedWord('一只血腥的猫', ['血腥']), '血腥');
    assert.equal(findBannedWord('two words here', ['words here']), 'words here');
    assert.equal(findBannedWord('a (cat)', ['(cat)']), '(cat)', 'regex characters are literal');
  });
});

describe('quota days', () => {
  const at = Date.UTC(2026, 2, 28, 22, 30);
  it('start at midnight in the time zone, daylight saving included', () => {
    assert.equal(dayOf(at, 'UTC'), '2026-03-28');
    assert.equal(dayOf(at, 'Asia/Shanghai'), '2026-03-29');
    assert.equal(new Date(nextDayStart(at, 'Europe/Berlin')).toISOString(), '2026-03-28T23:00:00.000Z');
    // 29 March 2026 has 23 hours in Berlin: the next day starts at 22:00 UTC.
    assert.equal(new Date(nextDayStart(Date.UTC(2026, 2, 29, 5), 'Europe/Berlin')).toISOString(), '2026-03-29T22:00:00.000Z');
    assert.deepEqual(lastDays(Date.UTC(2026, 2, 30, 0, 30), 'Europe/Berlin', 3), ['2026-03-30', '2026-03-29', '2026-03-28']);
  });
});

describe('usage.csv', () => {
  const row = (overrides: Partial<UsageRow>): UsageRow => ({
    taskId: '1', guildId: 'g', channelId: 'c', memberId: 'm', memberName: 'Bob', kind: '/imagine', mode: 'fast',
    at: Date.UTC(2026, 0, 2, 3, 4, 5), day: '2026-01-02', status: 'SUCCESS', refunded: false, expiresAt: 0, ...overrides,
  });
  it('quotes what needs quoting and defuses formulas', () => {
    const csv = usageCsv([row({ memberName: 'Bob, "the builder"' }), row({ taskId: '2', memberName: '=HYPERLINK("x")' })]);
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[1], '2026-01-02T03:04:05.000Z,m,"Bob, ""the builder""",c,/imagine,fast,1,SUCCESS');
    assert.match(lines[2]!, /^[^,]+,m,"'=HYPERLINK\(""x""\)",/);
  });
});
