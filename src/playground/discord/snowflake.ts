const DISCORD_EPOCH = 1_420_070_400_000n;

/** Discord ids for one local Discord: real-looking snowflakes, unique within it (the increment is its own). */
export class Snowflakes {
  private increment = 0n;

  /** A snowflake whose timestamp is `ms` (discord.js derives createdTimestamp from it). */
  next(ms: number = Date.now()): string {
    this.increment = (this.increment + 1n) & 0xfffn;
    return (((BigInt(Math.floor(ms)) - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.increment).toString();
  }
}
