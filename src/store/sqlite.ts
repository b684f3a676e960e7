import KeyvSqlite from '@keyv/sqlite';
import sqlite3 from 'sqlite3';

const BUSY_TIMEOUT_MS = 5_000;
/**
 * Calls on one statement run one after another, each waiting for the main thread to take the last one's answer;
 * a few per SQL text let a burst of the same operation overlap in the thread pool (4 threads) as before.
 */
const STATEMENTS_PER_SQL = 4;

interface Slot {
  statement: Promise<sqlite3.Statement>;
  /** Calls taken and not answered yet. */
  busy: number;
}

function openDatabase(file: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(db)));
  });
}

/**
 * @keyv/sqlite's adapter (its table, its SQL, its iterator) running each of its statements prepared once.
 *
 * The adapter sends every operation through `db.all(sql)`, which prepares the statement, runs it and finalizes
 * it: three trips to libuv's thread pool per store operation. Its SQL is a handful of fixed strings, so here each
 * is prepared on first use and kept (a few per text, see STATEMENTS_PER_SQL); one operation is then one trip.
 * `stmt.all` binds its own parameters in that trip, so callers sharing a statement do not see each other's.
 * A task runs about ten store operations; README's "Benchmark" has what this saved.
 */
export async function openSqliteAdapter(file: string): Promise<KeyvSqlite> {
  const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, table: 'kv', busyTimeout: BUSY_TIMEOUT_MS });
  // The adapter's own connection creates the table; this connection takes over from it.
  await adapter.query('SELECT 1');
  await adapter.close();
  const db = await openDatabase(file);
  db.configure('busyTimeout', BUSY_TIMEOUT_MS);
  /** Per SQL text, up to STATEMENTS_PER_SQL prepared statements; a call takes the least busy one. */
  const slots = new Map<string, Slot[]>();
  let closed = false;

  const slotFor = (sql: string): Slot => {
    let list = slots.get(sql);
    if (!list) slots.set(sql, (list = []));
    let best = list[0];
    for (const slot of list) if (slot.busy < best!.busy) best = slot;
    if (best && (best.busy === 0 || list.length >= STATEMENTS_PER_SQL)) return best;
    const fresh: Slot = {
      busy: 0,
      statement: new Promise((resolve, reject) => {
        const made = db.prepare(sql, (error) => (error ? reject(error) : resolve(made)));
      }),
    };
    // A statement that fails to prepare is not kept: its error goes to its callers, and the next call tries again.
    fresh.statement.catch(() => {
      const at = list.indexOf(fresh);
      if (at >= 0) list.splice(at, 1);
    });
    list.push(fresh);
    return fresh;
  };

  adapter.query = async (sql: string, ...parameters: unknown[]) => {
    if (closed) throw new Error('the SQLite store is closed');
    const slot = slotFor(sql);
    slot.busy += 1;
    try {
      const statement = await slot.statement;
      return await new Promise((resolve, reject) => {
        statement.all(...parameters, (error: Error | null, rows: unknown[]) => (error ? reject(error) : resolve(rows)));
      });
    } finally {
      slot.busy -= 1;
    }
  };
  adapter.close = async () => {
    if (closed) return;
    closed = true;
    const prepared = await Promise.allSettled([...slots.values()].flat().map((slot) => slot.statement));
    await Promise.all(prepared.map((p) => (p.status === 'fulfilled' ? new Promise<void>((resolve) => p.value.finalize(() => resolve())) : undefined)));
    slots.clear();
    await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
  };
  // WAL lets the namespaces' connections write without locking readers out, and synchronous=NORMAL (a setting
  // of this connection) skips an fsync per write: at hundreds of tasks a default journal serializes every update
  // on the disk. A crash of the process (kill -9) still loses nothing committed; only a power cut may lose the last writes.
  await adapter.query('PRAGMA journal_mode=WAL');
  await adapter.query('PRAGMA synchronous=NORMAL');
  return adapter;
}
