import { randomBytes } from 'node:crypto';
import type { LocalDiscord } from './discord';

/**
 * Playground mode: no Discord application needed. With DISCORD_TOKEN and DISCORD_APPLICATION_ID both empty (or
 * `npm run play`), the real bot runs against a local Discord in this process; exactly one of them set is still the
 * configuration error it always was (src/config.ts).
 */
export const wantsPlayground = (env: Record<string, string | undefined>, argv: readonly string[]): boolean =>
  argv.includes('--playground') || (!env.DISCORD_TOKEN && !env.DISCORD_APPLICATION_ID);

/** A running local Discord and the variables that point the bot at it (they replace any real ones). */
export async function startPlayground(): Promise<{ discord: LocalDiscord; env: Record<string, string> }> {
  // Loaded only in playground mode, as the simulator is only without MJ_API_URL (src/app.ts).
  const { startLocalDiscord } = await import('./discord');
  // A fresh token per run: nothing else on this machine can drive the local gateway.
  const discord = await startLocalDiscord({ botToken: `playground.${randomBytes(18).toString('base64url')}`, maxCalls: 200, maxFiles: 300 });
  return {
    discord,
    env: {
      DISCORD_TOKEN: discord.botToken,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      // The local server is the only one: a list meant for real servers would make the bot leave it.
      ALLOWED_GUILD_IDS: '',
    },
  };
}
