import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { Logger } from '../logger';

/** The discord.js client: guilds intent only (slash commands need no message content). */
export function createDiscordClient(options: { apiUrl: string | undefined; logger: Logger }): Client {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { ...(options.apiUrl ? { api: options.apiUrl } : {}), timeout: 15_000, retries: 3 },
  });
  // Without an error listener a rejected async listener would end the process (ecosystem.md 2.3.11).
  client.on(Events.Error, (err) => options.logger.error({ err }, 'discord client error'));
  client.on(Events.Warn, (message) => options.logger.warn({ message }, 'discord client warning'));
  client.rest.on('rateLimited', (info) =>
    options.logger.debug({ route: info.route, retryAfter: info.retryAfter, global: info.global }, 'discord rate limit'),
  );
  return client;
}
