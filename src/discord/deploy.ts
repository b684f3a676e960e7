import { DiscordAPIError, REST, Routes } from 'discord.js';
import { ConfigError, type DiscordConfig } from '../config';
import type { Command } from './context';

/**
 * Registers the given slash commands (commands/index.ts, passed by the entry point: this layer does not import
 * the commands above it) in one bulk PUT: to the guild when DISCORD_GUILD_ID is set, else globally.
 */
export async function deployCommands(config: DiscordConfig, commands: readonly Pick<Command, 'data'>[]): Promise<{ count: number; scope: string }> {
  const rest = new REST({ ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}), retries: 2, timeout: 15_000 });
  rest.setToken(config.DISCORD_TOKEN);
  const body = commands.map((command) => command.data);
  const route = config.DISCORD_GUILD_ID
    ? Routes.applicationGuildCommands(config.DISCORD_APPLICATION_ID, config.DISCORD_GUILD_ID)
    : Routes.applicationCommands(config.DISCORD_APPLICATION_ID);
  const saved = (await rest.put(route, { body })) as unknown[];
  return { count: saved.length, scope: config.DISCORD_GUILD_ID ? `guild ${config.DISCORD_GUILD_ID}` : 'globally' };
}

export function explainDeployError(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof DiscordAPIError) {
    if (error.status === 401) return 'Discord refused DISCORD_TOKEN (401). Copy the bot token again from the Developer Portal.';
    if (error.status === 403 || Number(error.code) === 50001) {
      return 'Discord refused access (403). Is DISCORD_APPLICATION_ID the id of this bot, and is the bot in DISCORD_GUILD_ID with the applications.commands scope?';
    }
    if (error.status === 404) return 'Discord does not know that application or guild (404). Check DISCORD_APPLICATION_ID and DISCORD_GUILD_ID.';
    return `Discord rejected the commands: ${error.message} (HTTP ${error.status}, code ${error.code}).`;
  }
  const err = error as { code?: string; cause?: { code?: string }; message?: string };
  return `Could not reach Discord: ${err.cause?.code ?? err.code ?? err.message ?? String(error)}.`;
}
