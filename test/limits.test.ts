import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dayOf, lastDays, nextDayStart } from '../src/limits/day';
import { createLogger } from '../src/logger';
import { Calendar } from '../src/limits/day';
import { limitsFor, QuotaLedger, type Member } from '../src/limits/ledger';
import { emptySettings, ServerSettings } from '../src/limits/server-settings';
import { UsageLog } from '../src/limits/usage-log';
import { usageCsv } from '../src/limits/usage-report';
import { findBannedWord } from '../src/limits/words';
import { capMode, stripSpeedFlags, typedMode, withModeFlag } from '../src/mj/modes';
import { openStore, type Store, type UsageRow } from '../src/store';

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
  it('a flag ends at punctuation, not at a letter or digit', () => {
    assert.equal(typedMode('a cat --turbo,'), 'turbo');
    assert.equal(typedMode('a cat --turbo. a dog'), 'turbo');
    assert.equal(typedMode('a cat --relax; a dog'), 'relax');
    assert.equal(typedMode('a cat —fast!'), 'fast');
    assert.equal(typedMode('a cat --TURBO!?'), 'turbo');
    assert.equal(typedMode('a cat --turbo-ish'), 'turbo', 'a hyphen ends the flag too: the API might read it as one');
    assert.equal(typedMode('a cat --faſt'), 'fast', 'a long s still names a mode');
    assert.equal(typedMode('a --fastidious cat'), undefined);
    assert.equal(typedMode('a cat --turbo2'), undefined);
    assert.equal(typedMode('a cat --relaxed'), undefined);
    assert.equal(typedMode('a cat --turbo\u0301'), undefined, 'a combining accent continues the word');
    assert.equal(stripSpeedFlags('a cat --turbo, a dog'), 'a cat, a dog');
    assert.equal(stripSpeedFlags('a cat --turbo.'), 'a cat.');
    assert.equal(stripSpeedFlags('a cat --relax; a dog —fast!'), 'a cat; a dog!');
    assert.equal(stripSpeedFlags('a --fastidious cat --turbo,'), 'a --fastidious cat,');
    assert.equal(withModeFlag('a cat --turbo, a dog --fast.', 'relax'), 'a cat, a dog. --relax');
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
    assert.equal(lines[1], '2026-01-02T03:04:05.000Z,m,"Bob, ""the builder""",c,/imagine,fast,1,SUCCESS,default');
    assert.match(lines[2]!, /^[^,]+,m,"'=HYPERLINK\(""x""\)",/);
  });
});

describe('quotas on a real store (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mj-bridge-quota-'));
  const logger = createLogger({ level: 'silent', pretty: false });
  let store: Store;
  let now = Date.UTC(2026, 5, 1, 12);
  let quotas: QuotaLedger;
  let settings: ServerSettings;
  let usage: UsageLog;
  const member: Member = { guildId: '200000000000000000', userId: '300000000000000000', name: 'Ann', channelId: 'c', roleIds: [], admin: true };
  before(async () => {
    store = await openStore(`sqlite://${join(dir, 'bot.sqlite')}`, logger);
    const clock = () => now;
    const calendar = new Calendar('UTC');
    settings = new ServerSettings(store, clock);
    usage = new UsageLog(store, calendar, clock);
    quotas = new QuotaLedger({ store, settings, usage, calendar, logger, clock, defaults: { daily: 1000, concurrent: 1000 }, inFlight: async () => 0 });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a busy day: /admin usage finds every task, and no write carries more than 100 of the day\'s ids', async () => {
    const day = dayOf(now, 'UTC');
    // A counter written before the ids moved to chunks: all of the day's ids in the counter itself.
    const legacy = Array.from({ length: 150 }, (_, i) => `old-${i}`);
    await store.counters.set(`${member.guildId}:${day}`, { n: legacy.length, taskIds: legacy, expiresAt: now + 86_400_000 });
    let widest = 0;
    const set = store.counters.set.bind(store.counters);
    store.counters.set = (async (key: string, value: { taskIds?: string[] }, ttl?: number) => {
      widest = Math.max(widest, (value.taskIds ?? []).filter((id) => !id.startsWith('old-')).length);
      return set(key, value as never, ttl);
    }) as typeof store.counters.set;
    const fresh: string[] = [];
    for (let i = 0; i < 250; i += 1) {
      const taskId = `task-${i}`;
      fresh.push(taskId);
      await store.usage.set(taskId, { taskId, guildId: member.guildId, channelId: 'c', memberId: member.userId, memberName: 'Ann', kind: '/imagine', mode: 'fast', at: now + i, day, status: 'RUNNING', refunded: false, expiresAt: now + 1e10 });
      await (await quotas.reserve(member, 1)).commit([{ taskId, kind: '/imagine', mode: 'fast' }]);
    }
    store.counters.set = set;
    const rows = await usage.rows(member.guildId, 1);
    assert.deepEqual(rows.map((r) => r.taskId), fresh, 'every task of the day, oldest first');
    assert.ok(widest <= 100, `the widest write of new ids carried ${widest}`);
    assert.equal((await store.counters.get(`${member.guildId}:${day}`))?.n, 400, 'the count goes on from the old counter');
  });

  it('/quota counts a task whose submit is on its way, once (before and after its commit), and not after a release', async () => {
    const ann: Member = { ...member, userId: '300000000000000001', admin: false };
    const used = async () => {
      const status = await quotas.status(ann);
      return [status.usedToday, status.budgetUsed];
    };
    const [, budgetBefore] = await used();
    const ticket = await quotas.reserve(ann, 1);
    assert.deepEqual(await used(), [1, budgetBefore! + 1], 'reserved: counted while the submit is on its way');
    await ticket.commit([{ taskId: 'quota-1', kind: '/imagine', mode: 'fast' }]);
    assert.deepEqual(await used(), [1, budgetBefore! + 1], 'committed: counted once');
    const dropped = await quotas.reserve(ann, 1);
    dropped.release();
    assert.deepEqual(await used(), [1, budgetBefore! + 1], 'released: not counted');
  });

  it("a server's settings are read once per few seconds; /admin's changes show at once, another process's within 5 s", async () => {
    const guildId = member.guildId;
    assert.deepEqual((await settings.get(guildId)).words, []);
    await settings.update(guildId, (s) => void (s.words = ['owl']));
    assert.deepEqual((await settings.get(guildId)).words, ['owl'], 'a change made here is seen at once');
    // Another process of the fleet changes the store.
    await store.settings.set(guildId, { ...emptySettings(), words: ['owl', 'fox'] });
    assert.deepEqual((await settings.get(guildId)).words, ['owl'], 'still the copy read a moment ago');
    now += 5_000;
    assert.deepEqual((await settings.get(guildId)).words, ['owl', 'fox'], 'read again after 5 s');
    await store.settings.set(guildId, { ...emptySettings(), words: ['owl', 'fox', 'bee'] });
    await settings.update(guildId, (s) => void s.words.push('cat'));
    assert.deepEqual((await store.settings.get(guildId))?.words, ['owl', 'fox', 'bee', 'cat'], 'a change starts from the store, not from the copy');
    assert.deepEqual((await settings.get(guildId)).words, ['owl', 'fox', 'bee', 'cat']);
  });
});
