import { Client, Events, GatewayIntentBits, Options } from 'discord.js';
import type { Logger } from '../logger';

/**
 * Members and users a process keeps in discord.js's caches. Every interaction carries its member and user, and
 * discord.js caches them; unbounded, that is every member who ever used the bot, in a heap `npm start` holds to
 * 128 MB. Nothing here looks a member up later: an interaction uses the one its payload brought.
  * @internal
 */
export const CACHED_MEMBERS = 100;

/** The discord.js client: guilds intent only (slash commands need no message content). */
export function createDiscordClient(options: { apiUrl: string | undefined; logger: Logger; shards: number[]; shardCount: number }): Client {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    // Several processes share the guilds by shard (SHARD_COUNT, SHARD_IDS); a guild's interactions reach the one holding it.
    shards: options.shards,
    shardCount: options.shardCount,
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      GuildMemberManager: { maxSize: CACHED_MEMBERS, keepOverLimit: (member) => member.id === member.client.user.id },
      UserManager: { maxSize: CACHED_MEMBERS, keepOverLimit: (user) => user.id === user.client.user.id },
      // Cards are edited through REST; the messages discord.js builds from its answers are not needed again.
      MessageManager: 0,
    }),
    // discord.js would hold every request, interaction callbacks included, to 50/s. Discord exempts interaction
    // routes, which are nearly all this bot sends; the few bot-token routes (channel edits) are held to the
    // global limit by the publisher's own gate instead. Per-route buckets are still honoured by discord.js.
    rest: { ...(options.apiUrl ? { api: options.apiUrl } : {}), timeout: 15_000, retries: 3, globalRequestsPerSecond: 10_000 },
  });
  // Without an error listener a rejected async listener would end the process.
  client.on(Events.Error, (err) => options.logger.error({ err }, 'discord client error'));
  client.on(Events.Warn, (message) => options.logger.warn({ message }, 'discord client warning'));
  client.rest.on('rateLimited', (info) =>
    options.logger.debug({ route: info.route, retryAfter: info.retryAfter, global: info.global }, 'discord rate limit'),
  );
  return client;
}
