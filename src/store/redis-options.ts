/**
 * How every Redis client of the bot connects: while Redis is down a command fails at once (no offline queue that
 * would hold a member's command until Redis returns, past Discord's 3 s), and the client keeps reconnecting by
 * itself, so the bot recovers without a restart.
 */
export const redisClientOptions = (url: string) => ({
  url,
  disableOfflineQueue: true,
  socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
});
