import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { createLogger } from '../src/logger';
import { openStore, type Store } from '../src/store';
import { openSqliteAdapter } from '../src/store/sqlite';

const logger = createLogger({ level: 'silent', pretty: false });

describe('the store on SQLite (statements prepared once)', () => {
  let dir: string;
  let file: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mj-sqlite-'));
    file = join(dir, 'bot.sqlite');
    store = await openStore(`sqlite://${file}`, logger);
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives each of many concurrent callers of one statement its own answer', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `task-${i}`);
    await Promise.all(ids.map((id, i) => store.messages.set(`m${i}`, id)));
    const read = await Promise.all(ids.map((_, i) => store.messages.get(`m${i}`)));
    assert.deepEqual(read, ids);
    assert.deepEqual(await store.messages.get(['m7', 'nope', 'm299']), ['task-7', undefined, 'task-299'], 'getMany');
  });

  it('deletes, checks, iterates and clears as @keyv/sqlite does', async () => {
    await store.clicks.set('a', { taskId: '1', at: 1 } as never);
    await store.clicks.set('b', { taskId: '2', at: 2 } as never);
    assert.equal(await store.clicks.has('a'), true);
    assert.equal(await store.clicks.delete('a'), true);
    assert.equal(await store.clicks.delete('a'), false, 'already gone');
    assert.equal(await store.clicks.has('a'), false);
    const keys: string[] = [];
    for await (const [key] of store.clicks.iterator!(undefined)) keys.push(String(key));
    assert.deepEqual(keys, ['b'], 'the sweep can iterate a namespace');
    await store.clicks.clear();
    assert.equal(await store.clicks.get('b'), undefined);
    assert.equal(await store.messages.get('m1'), 'task-1', 'clearing one namespace leaves the others');
  });

  it('rejects a statement SQLite cannot prepare, keeps working, and prepares it again later', async () => {
    const adapter = await openSqliteAdapter(join(dir, 'other.sqlite'));
    try {
      await assert.rejects(adapter.query('SELECT * FROM later'), /no such table/);
      await adapter.query('CREATE TABLE later (x)');
      assert.deepEqual(await adapter.query('SELECT * FROM later'), [], 'the failed statement was not kept');
      await adapter.set('k', 'v');
      assert.equal(await adapter.get('k'), 'v');
    } finally {
      await adapter.close();
    }
    await assert.rejects(adapter.query('SELECT 1'), /closed/);
  });

  it('reads a database that @keyv/sqlite itself wrote, and what it wrote survives a close', async () => {
    const older = join(dir, 'older.sqlite');
    const plain = new Keyv({ store: new KeyvSqlite({ uri: `sqlite://${older}`, table: 'kv' }), namespace: 'tasks', useKeyPrefix: true });
    await plain.set('t1', { taskId: 't1' });
    await plain.disconnect();
    const reopened = await openStore(`sqlite://${older}`, logger);
    try {
      assert.deepEqual(await reopened.tasks.get('t1'), { taskId: 't1' });
      await reopened.tasks.set('t2', { taskId: 't2' } as never);
    } finally {
      await reopened.close();
    }
    const again = await openStore(`sqlite://${older}`, logger);
    try {
      assert.deepEqual(await again.tasks.get('t2'), { taskId: 't2' }, 'committed before the close');
    } finally {
      await again.close();
    }
  });
});
