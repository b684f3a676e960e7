import { redisMissing, startRedis } from '../../test/support/redis';
import { log, rateLimitsOf, Rig, until } from './rig';

export interface FleetResult {
  tasks: number;
  /** Tasks of the killed process still in flight when it died. */
  orphaned: number;
  /** From the kill -9 to the survivor's log line "taking over …". */
  takeoverSeconds: number;
  leaseMs: number;
  finals: number;
  /** Discord's 429 answers, by route. */
  rateLimited: Map<string, number>;
}

const shardOf = (guildId: string) => Number((BigInt(guildId) >> 22n) % 2n);

/**
 * Two processes on one Redis (shards 0 and 1), `tasks` /imagine spread over a guild of each shard; the process
 * of shard 0 is killed with -9 while every task is in flight. Measures how soon the survivor takes its tasks and
 * whether every card is delivered. Undefined when redis-server is not installed.
 */
export async function runFleet(tasks: number): Promise<FleetResult | undefined> {
  if (redisMissing) {
    log(`fleet phase skipped: ${redisMissing}`);
    return undefined;
  }
  log(`phase fleet: ${tasks} tasks on two processes and Redis, kill -9 of one…`);
  const redis = await startRedis();
  const rig = await Rig.start();
  try {
    const other = rig.discord.world.addGuild(1 - shardOf(rig.discord.guildId), 2);
    const channelOf: string[] = [];
    channelOf[shardOf(rig.discord.guildId)] = rig.discord.channelId;
    channelOf[shardOf(other.id)] = other.channelId;
    const leaseMs = 15_000;
    const fleet = { STORE_URL: redis.url, SHARD_COUNT: '2', LEASE_MS: String(leaseMs) };
    const doomed = await rig.spawnBot({ ...fleet, SHARD_IDS: '0' });
    const survivor = await rig.spawnBot({ ...fleet, SHARD_IDS: '1' });
    const interactions = await rig.submitAll(tasks, [channelOf[0]!, channelOf[1]!]);
    const onShard0 = interactions.filter((i) => i.channelId === channelOf[0]);
    await until(() => interactions.every((i) => /\d+%/.test(JSON.stringify(rig.discord.original(i)?.embeds ?? []))), 'every task to show progress');
    const orphaned = onShard0.length - rig.finals(onShard0);
    const killedAt = Date.now();
    await doomed.stop('SIGKILL');
    await survivor.waitForOutput(/taking over tasks whose process stopped/, leaseMs + 15_000);
    const line = survivor.stdout.split('\n').find((l) => l.includes('taking over tasks'));
    const takenAt = Number(/"time":(\d+)/.exec(line ?? '')?.[1] ?? Date.now());
    await until(() => rig.finals(interactions) === tasks, 'every final card after the takeover');
    return { tasks, orphaned, takeoverSeconds: (takenAt - killedAt) / 1000, leaseMs, finals: rig.finals(interactions), rateLimited: rateLimitsOf(rig.discord, 0) };
  } finally {
    await rig.stop();
    await redis.stop();
  }
}
