import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { History, pageOf } from '../src/community/history';
import { historyKind } from '../src/community/kinds';
import { Stars } from '../src/community/stars';
import { createLogger } from '../src/logger';
import { parseAction } from '../src/mj/actions';
import { openStore, type Store } from '../src/store';
import { trackedTask } from './support/tasks';

const H = '0ddb91a0-af46-4ae9-8e8e-c271074eb6e6';

describe('pages of a member’s list', () => {
  it('cuts 5 a page and keeps the page asked for within the list', () => {
    const twelve = Array.from({ length: 12 }, (_, i) => i);
    assert.deepEqual(pageOf(twelve, 1), { items: [0, 1, 2, 3, 4], page: 1, pages: 3, total: 12 });
    assert.deepEqual(pageOf(twelve, 3).items, [10, 11]);
    assert.equal(pageOf(twelve, 9).page, 3, 'past the end: the last page');
    assert.equal(pageOf(twelve, 0).page, 1);
    assert.equal(pageOf(twelve, Number.NaN).page, 1);
    assert.deepEqual(pageOf([], 2), { items: [], page: 1, pages: 1, total: 0 });
  });
});

describe('/history kinds', () => {
  it('files a task by the button that started it, else by its command', () => {
    assert.equal(historyKind(undefined, '/imagine'), 'imagine');
    assert.equal(historyKind(undefined, '/swapface'), 'swapface');
    assert.equal(historyKind(undefined, '/task'), 'other');
    const byButton = (customId: string) => historyKind(parseAction(customId), 'a label');
    assert.equal(byButton(`MJ::JOB::upsample::2::${H}`), 'upscale');
    assert.equal(byButton(`MJ::JOB::upsample_v7_2x_subtle::1::${H}::SOLO`), 'upscale');
    assert.equal(byButton(`MJ::JOB::variation::1::${H}`), 'variation');
    assert.equal(byButton(`MJ::JOB::high_variation::1::${H}::SOLO`), 'variation');
    assert.equal(byButton(`MJ::JOB::reroll::0::${H}::SOLO`), 'imagine', 'a re-roll imagines again');
    assert.equal(byButton(`MJ::Inpaint::1::${H}::SOLO`), 'region');
    assert.equal(byButton(`MJ::Outpaint::50::1::${H}::SOLO`), 'zoom');
    assert.equal(byButton(`MJ::JOB::pan_left::1::${H}::SOLO`), 'pan');
    assert.equal(byButton(`MJ::JOB::animate_high::1::${H}::SOLO`), 'video');
    assert.equal(byButton('MJ::Job::PicReader::2'), 'imagine', 'a describe prompt imagines it');
    assert.equal(byButton('MJ::Picread::Retry'), 'describe');
    assert.equal(byButton(`MJ::BOOKMARK::${H}`), 'other');
  });
});

describe('member lists in the store', () => {
  let store: Store;
  let now = 1_750_000_000_000;
  const clock = () => now;
  before(async () => {
    store = await openStore('memory://', createLogger({ level: 'silent', pretty: false }));
  });
  after(() => store.close());

  it('keeps a member’s newest 1,000 tasks, newest first, per server', async () => {
    const history = new History(store, clock);
    for (let i = 0; i < 1_005; i += 1) await history.add('g1', 'u1', [{ taskId: `t${i}`, action: undefined, kind: '/imagine' }]);
    await history.add('g2', 'u1', [{ taskId: 'elsewhere', action: undefined, kind: '/blend' }]);
    const listed = await history.of('g1', 'u1');
    assert.equal(listed.length, 1_000);
    assert.equal(listed[0]!.taskId, 't1004');
    assert.equal(listed.at(-1)!.taskId, 't5', 'the oldest went');
    assert.deepEqual(await history.of('g1', 'u1', 'blend'), [], 'the other server’s blend is not here');
    assert.deepEqual((await history.of('g2', 'u1', 'blend')).map((e) => e.taskId), ['elsewhere']);
  });

  it('the sweep drops the entries of deleted tasks and keeps the others', async () => {
    const stars = new Stars(store, clock, 1_000);
    const keep = trackedTask({ taskId: 'kept', message: { guildId: 'g1', channelId: 'c', messageId: 'm', interaction: undefined }, expiresAt: now + 10_000 });
    const lose = trackedTask({ taskId: 'lost', message: { guildId: 'g1', channelId: 'c', messageId: 'n', interaction: undefined }, expiresAt: now + 10_000 });
    await store.tasks.set('kept', keep);
    await store.tasks.set('lost', lose);
    await stars.toggle(keep, 'u2');
    await stars.toggle(lose, 'u2');
    await store.tasks.delete('lost');
    assert.ok((await store.sweep(now, 1_000)) >= 2, 'the star record and the favourite of the deleted task');
    assert.equal(await store.stars.get('lost'), undefined);
    assert.ok(await store.stars.get('kept'));
    assert.deepEqual((await stars.favoritesOf('g1', 'u2')).map((e) => e.taskId), ['kept']);
    now += 20_000;
    assert.deepEqual(await stars.favoritesOf('g1', 'u2'), [], 'past its task’s expiry, a favourite is not listed');
  });
});
