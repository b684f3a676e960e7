// index.ts: the entry of its folder (every folder that has an entry names it so): what the folder offers the layers above.
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import type { Logger } from '../logger';
import { LocalCoordinator, type Coordinator } from './coordinator';
import { closeRedis, redisClientOptions } from './redis-options';
import { upgradeTask } from './upgrade';
import type { ButtonTarget, CachedTranslation, ClickRecord, DayCounter, GuildSettings, ListEntry, MemberList, MemberPrefs, PendingChoice, ServerStrikes, StarRecord, TrackedTask, UsageRow } from './records';

export type * from './records';

/** A stored record unless its retention ended: then it is as good as deleted (the sweep removes it). */
export function unexpired<T>(value: T | undefined, now: number): T | undefined {
  const expiresAt = (value as { expiresAt?: number } | undefined)?.expiresAt;
  return expiresAt === undefined || expiresAt > now ? value : undefined;
}

/** One Keyv per namespace, each on its own adapter (Keyv writes its namespace onto the adapter, so a shared one breaks clear()). */
export interface Store {
  /** taskId → everything needed to drive that task's message to its final state. */
  tasks: Keyv<TrackedTask>;
  /** Discord message id → task id. */
  messages: Keyv<string>;
  /** short button key (the Discord custom_id) → the MJ task and customId it stands for. */
  buttons: Keyv<ButtonTarget>;
  /** 'ids' → the ids of every task still in flight, for resuming after a restart. */
  inflight: Keyv<string[]>;
  /** Clicked button key → the task it started (double-click guard). */
  clicks: Keyv<ClickRecord>;
  /** Small facts the bot learned, e.g. whether the API has list-by-condition. */
  meta: Keyv<unknown>;
  /** Guild id → what its admins set with /admin. */
  settings: Keyv<GuildSettings>;
  /** `guild:member` → what the member set for themselves with /settings and /prefer. */
  prefs: Keyv<MemberPrefs>;
  /** Task id → who started it, where, how, and how it ended (kept 90 days). */
  usage: Keyv<UsageRow>;
  /** `guild:day:member` and `guild:day` → tasks counted that day (quotas and budget). */
  counters: Keyv<DayCounter>;
  /** Hash of a text and the model → its English, for a day (shared by the fleet). */
  translations: Keyv<CachedTranslation>;
  /** Choice id → a start waiting for its member's choice (show me first, a failed translation), for minutes. */
  choices: Keyv<PendingChoice>;
  /** Guild id → its members' strikes and locks (banned prompts). */
  strikes: Keyv<ServerStrikes>;
  /** Task id → who starred its image, and its showcase post (src/community/stars.ts). */
  stars: Keyv<StarRecord>;
  /** `guild:member` → the images the member starred in that server (/favorites). */
  favorites: Keyv<MemberList>;
  /** `guild:member` → the tasks the member started in that server (/history). */
  history: Keyv<MemberList>;
  /** What several processes on one store agree on (one process alone: a local stand-in). */
  coordinator: Coordinator;
  ping(): Promise<boolean>;
  /** Deletes what outlived its retention (see sweep below); resolves to the number of records deleted. */
  sweep(now: number, retentionMs: number): Promise<number>;
  close(): Promise<void>;
}

const NAMESPACES = ['tasks', 'messages', 'buttons', 'inflight', 'clicks', 'meta', 'settings', 'prefs', 'usage', 'counters', 'translations', 'choices', 'strikes', 'stars', 'favorites', 'history'] as const;

/** The lists kept per member and server. */
export type ListName = 'favorites' | 'history';

/** The fleet lock of one member's list: every writer (src/community, the sweep) holds it, so no write is lost. */
export const listLock = (list: ListName, key: string): string => `list:${list}:${key}`;

/**
 * `sqlite://data/bot.sqlite` is relative to the working directory, `sqlite:///abs/file` absolute.
 * @internal
 */
export function sqliteFileFromUrl(storeUrl: string, cwd = process.cwd()): string {
  const rest = storeUrl.replace(/^sqlite:\/\//, '');
  if (!rest) throw new Error('STORE_URL sqlite:// needs a file path');
  return isAbsolute(rest) ? rest : resolve(cwd, rest);
}

async function importOptional(name: string): Promise<{ default: new (...args: unknown[]) => KeyvStoreAdapter }> {
  try {
    return (await import(name)) as { default: new (...args: unknown[]) => KeyvStoreAdapter };
  } catch {
    throw new Error(`STORE_URL needs the package ${name}: run \`npm install ${name}\``);
  }
}

const isRedis = (storeUrl: string) => /^rediss?:\/\//.test(storeUrl);

/** Errors that mean the store cannot be reached right now (Redis down, restarting, or unreachable), as opposed to a bug. */
const STORE_DOWN = /The client is (offline|closed)|Socket closed unexpectedly|Connection timeout|ECONNREFUSED|ECONNRESET|Redis client is not connected/i;
export const isStoreDown = (error: unknown): boolean => {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth += 1) {
    if (STORE_DOWN.test(cause.message) || /^(ClientOfflineError|ClientClosedError|SocketClosedUnexpectedlyError|ConnectionTimeoutError)$/.test(cause.name)) return true;
  }
  return false;
};

/** A Redis client connected now (every namespace shares it, and the coordinator has its own). */
type RedisClient = Awaited<ReturnType<typeof connectRedis>>;
async function connectRedis(storeUrl: string, logger: Logger) {
  const { createClient } = await import('@keyv/redis');
  const client = createClient(redisClientOptions(storeUrl));
  client.on('error', (err: unknown) => logger.warn({ err }, 'redis error'));
  // Every namespace's adapter listens to the one client: a known, bounded number of listeners, not a leak.
  client.setMaxListeners(32);
  await client.connect();
  return client;
}

async function createAdapter(storeUrl: string, redis: RedisClient | undefined): Promise<KeyvStoreAdapter | Map<unknown, unknown>> {
  const scheme = storeUrl.slice(0, storeUrl.indexOf(':'));
  switch (scheme) {
    case 'memory':
      return new Map();
    case 'sqlite': {
      const file = sqliteFileFromUrl(storeUrl);
      mkdirSync(dirname(file), { recursive: true });
      return (await import('./sqlite')).openSqliteAdapter(file);
    }
    case 'redis':
    case 'rediss': {
      const { default: KeyvRedis } = await import('@keyv/redis');
      // Errors are thrown, not swallowed: a read that fails must not look like a key that is not there.
      return new KeyvRedis(redis as never, { throwOnConnectError: true, throwOnErrors: true }) as unknown as KeyvStoreAdapter;
    }
    case 'postgres':
    case 'postgresql': {
      const { default: KeyvPostgres } = await importOptional('@keyv/postgres');
      return new KeyvPostgres({ uri: storeUrl, table: 'kv' });
    }
    default:
      throw new Error(`Unsupported STORE_URL scheme "${scheme}"`);
  }
}

type Namespaces = Pick<Store, (typeof NAMESPACES)[number]>;

/** Keys of a namespace whose value `expired` says must go (collected first: deleting while paging skips rows). */
async function expiredKeys<T>(keyv: Keyv<T>, expired: (key: string, value: T) => boolean | Promise<boolean>): Promise<string[]> {
  const keys: string[] = [];
  if (!keyv.iterator) return keys;
  for await (const [key, value] of keyv.iterator(undefined)) {
    if (await expired(String(key), value as T)) keys.push(String(key));
  }
  return keys;
}

/**
 * Nothing grows forever. Keyv's TTLs are native on Redis but only checked on read on SQLite, so this runs
 * at start and every hour: finished tasks, button targets and click records past their `expiresAt` (records
 * from before it existed: RETENTION_DAYS after they were last touched), then what pointed at deleted tasks (their
 * stars, and their entries in members' favourites and history).
 */
async function sweep(store: Namespaces, now: number, retentionMs: number, locked: Locked): Promise<number> {
  const past = (expiresAt: number | undefined, fallback: number | undefined) => (expiresAt ?? fallback ?? Number.POSITIVE_INFINITY) <= now;
  const tasks = await expiredKeys(store.tasks, (_key, task) =>
    past(task.expiresAt, task.lifecycle === 'delivered' || task.lifecycle === 'detached' ? task.lastChangeAt + retentionMs : undefined),
  );
  for (const key of tasks) await store.tasks.delete(key);
  const gone = async (taskId: string) => !(await store.tasks.has(taskId));
  const buttons = await expiredKeys(store.buttons, async (_key, target) => past(target.expiresAt, undefined) || (target.expiresAt === undefined && (await gone(target.taskId))));
  const clicks = await expiredKeys(store.clicks, (_key, click) => past(click.expiresAt, click.at + retentionMs));
  const messages = await expiredKeys(store.messages, (_key, taskId) => gone(taskId));
  const seeds = await expiredKeys(store.meta, (key) => key.startsWith('seed:') && gone(key.slice('seed:'.length)));
  for (const key of buttons) await store.buttons.delete(key);
  for (const key of clicks) await store.clicks.delete(key);
  for (const key of messages) await store.messages.delete(key);
  for (const key of seeds) await store.meta.delete(key);
  const usage = await expiredKeys(store.usage, (_key, row) => past(row.expiresAt, undefined));
  const counters = await expiredKeys(store.counters, (_key, counter) => past(counter.expiresAt, undefined));
  for (const key of usage) await store.usage.delete(key);
  for (const key of counters) await store.counters.delete(key);
  // Short-lived records carry a TTL too (native on Redis); on SQLite they stay until read, or until this.
  const translations = await expiredKeys(store.translations, (_key, entry) => past(entry.expiresAt, undefined));
  const choices = await expiredKeys(store.choices, (_key, choice) => past(choice.expiresAt, undefined));
  const strikes = await expiredKeys(store.strikes, (_key, server) => past(server.expiresAt, undefined));
  for (const key of translations) await store.translations.delete(key);
  for (const key of choices) await store.choices.delete(key);
  for (const key of strikes) await store.strikes.delete(key);
  // Stars, favourites and history go with their task.
  const stars = await expiredKeys(store.stars, async (_key, star) => past(star.expiresAt, undefined) || (await gone(star.taskId)));
  for (const key of stars) await store.stars.delete(key);
  const stale = async (entry: ListEntry) => past(entry.expiresAt, undefined) || (await gone(entry.taskId));
  const lists = (await pruneLists(store, 'favorites', stale, locked)) + (await pruneLists(store, 'history', stale, locked));
  const short = translations.length + choices.length + strikes.length;
  return tasks.length + buttons.length + clicks.length + messages.length + seeds.length + usage.length + counters.length + short + stars.length + lists;
}

/**
 * Drops the entries of every member list that `stale` says are gone, each list rewritten under its lock; an
 * emptied list is deleted. Resolves to the number of entries dropped.
 */
async function pruneLists(store: Namespaces, list: ListName, stale: (entry: ListEntry) => Promise<boolean>, locked: Locked): Promise<number> {
  const keyv = store[list];
  const touched = await expiredKeys(keyv, async (_key, value) => {
    for (const entry of value.entries) if (await stale(entry)) return true;
    return false;
  });
  let dropped = 0;
  for (const key of touched) {
    await locked(listLock(list, key), async () => {
      const entries = (await keyv.get(key))?.entries ?? [];
      const kept: ListEntry[] = [];
      for (const entry of entries) if (!(await stale(entry))) kept.push(entry);
      dropped += entries.length - kept.length;
      if (kept.length) await keyv.set(key, { entries: kept });
      else await keyv.delete(key);
    });
  }
  return dropped;
}

type Locked = <T>(key: string, work: () => Promise<T>) => Promise<T>;

export async function openStore(storeUrl: string, logger: Logger): Promise<Store> {
  // One connection for every namespace (each keeps its own adapter, which carries its namespace).
  const redis = isRedis(storeUrl) ? await connectRedis(storeUrl, logger) : undefined;
  /** `upgrade`: turns a value written by an older version into the current shape, on every read. */
  const make = async <T>(namespace: (typeof NAMESPACES)[number], upgrade?: (value: unknown) => unknown) => {
    // Plain JSON: every value is JSON-shaped, and Keyv's default serializer (Buffers, BigInts) costs more CPU.
    const deserialize = (data: unknown) => {
      const entry = typeof data === 'string' ? JSON.parse(data) : data;
      if (upgrade && entry && typeof entry === 'object' && 'value' in entry) entry.value = upgrade(entry.value);
      return entry;
    };
    const keyv = new Keyv<T>({ store: await createAdapter(storeUrl, redis), namespace, useKeyPrefix: true, serialize: JSON.stringify, deserialize, throwOnErrors: Boolean(redis) });
    keyv.on('error', (err: unknown) => logger.warn({ err, namespace }, 'store error'));
    return keyv;
  };
  const store = {
    tasks: await make<TrackedTask>('tasks', upgradeTask),
    messages: await make<string>('messages'),
    buttons: await make<ButtonTarget>('buttons'),
    inflight: await make<string[]>('inflight'),
    clicks: await make<ClickRecord>('clicks'),
    meta: await make<unknown>('meta'),
    settings: await make<GuildSettings>('settings'),
    prefs: await make<MemberPrefs>('prefs'),
    usage: await make<UsageRow>('usage'),
    counters: await make<DayCounter>('counters'),
    translations: await make<CachedTranslation>('translations'),
    choices: await make<PendingChoice>('choices'),
    strikes: await make<ServerStrikes>('strikes'),
    stars: await make<StarRecord>('stars'),
    favorites: await make<MemberList>('favorites'),
    history: await make<MemberList>('history'),
  };
  // Redis's client is loaded only for a Redis store: a SQLite bot would pay its memory and start-up for nothing (README).
  const coordinator = isRedis(storeUrl)
    ? await (await import('./redis-coordinator')).RedisCoordinator.connect(storeUrl, logger)
    : new LocalCoordinator(store.inflight);
  return {
    ...store,
    coordinator,
    /** A read: health probes must not write to the store. */
    async ping() {
      try {
        await store.meta.get('ping');
        return true;
      } catch {
        return false;
      }
    },
    sweep: (now, retentionMs) => sweep(store, now, retentionMs, (key, work) => coordinator.locked(key, work)),
    async close() {
      await coordinator.close();
      // The shared connection first: each adapter would close it again, and wait on it while it reconnects.
      if (redis) await closeRedis(redis);
      await Promise.all(Object.values(store).map((keyv) => keyv.disconnect().catch(() => undefined)));
    },
  };
}
