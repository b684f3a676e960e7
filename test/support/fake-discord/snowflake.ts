const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A real-looking snowflake whose timestamp is `ms` (discord.js derives createdTimestamp from it). */
export function snowflake(ms: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Math.floor(ms)) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
