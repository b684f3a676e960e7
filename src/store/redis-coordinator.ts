import { createClient } from '@keyv/redis';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import { KeyedChain, newProcessId, type Coordinator, type ProcessInfo } from './coordinator';
import { closeRedis, redisClientOptions } from './redis-options';

/** The client as `createClient({ url })` makes it (RESP2, no modules). */
const connectTo = (url: string) => createClient(redisClientOptions(url));
type Client = ReturnType<typeof connectTo>;

const PREFIX = 'mj:';
const INFLIGHT = `${PREFIX}inflight`;
const HINTS = `${PREFIX}hints`;
const LOCK_TTL_MS = 30_000;

/** Renews this process's leases and takes the free ones, in one round trip. ARGV: me, ttl, ids… */
const HOLD = `
local me, ttl = ARGV[1], ARGV[2]
local held = {}
for i = 3, #ARGV do
  local key = '${PREFIX}lease:' .. ARGV[i]
  local owner = redis.call('GET', key)
  if owner == me then
    redis.call('PEXPIRE', key, ttl)
    held[#held + 1] = ARGV[i]
  elseif not owner then
    redis.call('SET', key, me, 'PX', ttl)
    held[#held + 1] = ARGV[i]
  end
end
return held`;

/** Takes every in-flight task without a lease (its owner died). ARGV: me, ttl. */
const ORPHANS = `
local taken = {}
for _, id in ipairs(redis.call('SMEMBERS', '${INFLIGHT}')) do
  if redis.call('SET', '${PREFIX}lease:' .. id, ARGV[1], 'NX', 'PX', ARGV[2]) then taken[#taken + 1] = id end
end
return taken`;

/**
 * Sums a scope's reservations that have not run out, deleting those that have. KEYS: the hash; ARGV: now (ms).
 * Each field is a ticket, its value `cost:until`.
 */
const RESERVED = `
local sum = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local cost, untilMs = string.match(fields[i + 1], '^(%d+):(%d+)$')
  if cost and tonumber(untilMs) > tonumber(ARGV[1]) then sum = sum + tonumber(cost) else redis.call('HDEL', KEYS[1], fields[i]) end
end
return sum`;

/** Deletes keys that still hold ARGV[1] (a lease or a lock is only given up by its holder). KEYS: the keys. */
const RELEASE = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then n = n + redis.call('DEL', key) end
end
return n`;

/**
 * Several processes on one Redis. Every task in flight has one owner through a lease (`mj:lease:<task>`, renewed
 * every tick, gone after LEASE_MS when its process dies); locks and claims are SET NX with a token; notifyHook
 * hints are published to every process and acted on by the owner.
 */
export class RedisCoordinator implements Coordinator {
  readonly processId = newProcessId();
  readonly shared = true;
  private readonly chain = new KeyedChain();
  private readonly listeners: Array<(taskId: string) => void> = [];
  private subscriber: Client | undefined;

  private constructor(
    private readonly client: Client,
    private readonly logger: Logger,
  ) {}

  static async connect(url: string, logger: Logger): Promise<RedisCoordinator> {
    const client = connectTo(url);
    client.on('error', (err: unknown) => logger.error({ err }, 'redis error'));
    await client.connect();
    const coordinator = new RedisCoordinator(client, logger);
    const subscriber = client.duplicate();
    subscriber.on('error', (err: unknown) => logger.error({ err }, 'redis subscriber error'));
    await subscriber.connect();
    await subscriber.subscribe(HINTS, (taskId: string) => {
      for (const listener of coordinator.listeners) listener(taskId);
    });
    coordinator.subscriber = subscriber;
    return coordinator;
  }

  private async script(source: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.client.eval(source, { keys, arguments: args.map(String) });
  }

  async hold(taskIds: readonly string[], ttlMs: number): Promise<Set<string>> {
    if (taskIds.length === 0) return new Set();
    const held = new Set<string>();
    // In slices, so one call never blocks Redis for long.
    for (let i = 0; i < taskIds.length; i += 500) {
      const reply = (await this.script(HOLD, [], [this.processId, ttlMs, ...taskIds.slice(i, i + 500)])) as string[];
      for (const id of reply) held.add(String(id));
    }
    return held;
  }

  async takeOrphans(ttlMs: number): Promise<string[]> {
    return ((await this.script(ORPHANS, [], [this.processId, ttlMs])) as string[]).map(String);
  }

  async release(taskIds: readonly string[]): Promise<void> {
    if (taskIds.length) await this.script(RELEASE, taskIds.map((id) => `${PREFIX}lease:${id}`), [this.processId]);
  }

  async addInFlight(taskId: string): Promise<void> {
    await this.client.sAdd(INFLIGHT, taskId);
  }

  async removeInFlight(taskId: string): Promise<void> {
    await this.client.sRem(INFLIGHT, taskId);
  }

  async inFlight(): Promise<string[]> {
    return (await this.client.sMembers(INFLIGHT)).map(String);
  }

  async memberTask(guildId: string, userId: string, taskId: string, running: boolean): Promise<void> {
    const key = `${PREFIX}member:${guildId}:${userId}`;
    if (running) await this.client.sAdd(key, taskId);
    else await this.client.sRem(key, taskId);
  }

  async memberTaskCount(guildId: string, userId: string): Promise<number> {
    return Number(await this.client.sCard(`${PREFIX}member:${guildId}:${userId}`));
  }

  async reserve(scope: string, ticket: string, cost: number, ttlMs: number): Promise<void> {
    const key = `${PREFIX}reserved:${scope}`;
    await this.client.hSet(key, ticket, `${cost}:${Date.now() + ttlMs}`);
    // The hash outlives its newest ticket by nothing: a process that died mid-submit leaves nothing behind.
    await this.client.pExpire(key, ttlMs);
  }

  async reserved(scope: string): Promise<number> {
    return Number(await this.script(RESERVED, [`${PREFIX}reserved:${scope}`], [Date.now()]));
  }

  async settle(scope: string, ticket: string): Promise<void> {
    await this.client.hDel(`${PREFIX}reserved:${scope}`, ticket);
  }

  /** In this process one after the other; across processes through a Redis lock with a token. */
  locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.chain.run(key, async () => {
      const lock = `${PREFIX}lock:${key}`;
      const token = randomBytes(12).toString('hex');
      // Bounded: a lock is held for milliseconds; after ~10 s something is wrong and the work runs anyway (logged).
      let acquired = false;
      for (let attempt = 0; attempt < 400 && !acquired; attempt += 1) {
        acquired = (await this.client.set(lock, token, { condition: 'NX', expiration: { type: 'PX', value: LOCK_TTL_MS } })) === 'OK';
        if (!acquired) await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      }
      if (!acquired) this.logger.warn({ key }, 'could not take a fleet lock in time; going on without it');
      try {
        return await work();
      } finally {
        if (acquired) await this.script(RELEASE, [lock], [token]).catch(() => undefined);
      }
    });
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(`${PREFIX}claim:${key}`, this.processId, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } })) === 'OK';
  }

  async unclaim(key: string): Promise<void> {
    await this.script(RELEASE, [`${PREFIX}claim:${key}`], [this.processId]);
  }

  async hint(taskId: string): Promise<void> {
    await this.client.publish(HINTS, taskId);
  }

  onHint(listener: (taskId: string) => void): void {
    this.listeners.push(listener);
  }

  async beat(info: Omit<ProcessInfo, 'processId' | 'at'>, ttlMs: number): Promise<void> {
    // Wall time: the key runs out on Redis's clock (PX), and other processes, which share no injected clock, read `at`.
    const value: ProcessInfo = { ...info, processId: this.processId, at: Date.now() };
    await this.client.set(`${PREFIX}fleet:${this.processId}`, JSON.stringify(value), { expiration: { type: 'PX', value: ttlMs } });
  }

  async fleet(): Promise<ProcessInfo[]> {
    const keys: string[] = [];
    for await (const batch of this.client.scanIterator({ MATCH: `${PREFIX}fleet:*`, COUNT: 100 })) keys.push(...(batch as string[]));
    if (keys.length === 0) return [];
    const values = await this.client.mGet(keys);
    return values.filter((v): v is string => typeof v === 'string').map((v) => JSON.parse(v) as ProcessInfo);
  }

  async close(): Promise<void> {
    await this.client.del(`${PREFIX}fleet:${this.processId}`).catch(() => undefined);
    if (this.subscriber) await closeRedis(this.subscriber);
    await closeRedis(this.client);
  }
}
