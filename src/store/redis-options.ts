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

/** How long a connected client may take to close (the answers to commands under way) before it is dropped. */
const CLOSE_MS = 2_000;

/** What closing needs of a Redis client (node-redis). */
interface Closable {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  close(): Promise<void>;
  destroy(): void;
}

/**
 * Closes a Redis client within CLOSE_MS: a connected one gracefully, one that is not connected at once. QUIT waits
 * for an answer, so on a client still reconnecting (Redis away, or just back) it waited for good: a stop() hung.
 */
export async function closeRedis(client: Closable): Promise<void> {
  if (client.isOpen && client.isReady) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_MS)));
    await Promise.race([client.close().catch(() => undefined), late]);
    clearTimeout(timer);
  }
  if (client.isOpen) client.destroy();
}
