import type { LocalDiscord } from './discord';
import { isLoopbackInterface } from './access';

/**
 * Playground mode: no Discord application needed. With DISCORD_TOKEN and DISCORD_APPLICATION_ID both empty (or
 * `npm run play`), the real bot runs against a local Discord in this process; exactly one of them set is still the
 * configuration error it always was (src/config.ts).
 */
export const wantsPlayground = (env: Record<string, string | undefined>, argv: readonly string[]): boolean =>
  argv.includes('--playground') || (!env.DISCORD_TOKEN?.trim() && !env.DISCORD_APPLICATION_ID?.trim());

/**
 * Why the playground must not start, or undefined. A real API with no Discord application is most likely a
 * half-filled `.env` (in a container listening on 0.0.0.0, a public page that spends the real plan): that takes
 * `npm run play` on purpose. And a playground reachable from other machines needs PLAYGROUND_TOKEN.
 */
export function playgroundRefusal(env: Record<string, string | undefined>, argv: readonly string[]): string | undefined {
  if (!argv.includes('--playground') && env.MJ_API_URL?.trim()) {
    return 'MJ_API_URL is set but DISCORD_TOKEN and DISCORD_APPLICATION_ID are empty. Set the Discord variables to run the bot in a server, or use `npm run play` to try that API in the local playground.';
  }
  const host = env.HTTP_HOST?.trim() || '127.0.0.1';
  if (!isLoopbackInterface(host) && !env.PLAYGROUND_TOKEN?.trim()) {
    return `HTTP_HOST=${host} would open the playground (which acts as any member, admins included) to other machines. Set PLAYGROUND_TOKEN (24 or more letters and digits) to require it on every request, or leave HTTP_HOST at 127.0.0.1.`;
  }
  return undefined;
}

/** What the log says about who can reach the playground. */
export const playgroundAccess = (token: string | undefined): string =>
  token ? 'every playground request must carry PLAYGROUND_TOKEN (open /?token=… once)' : 'the playground answers only on 127.0.0.1, localhost and [::1]';

/**
 * A running local Discord and the variables that point the bot at it (they replace any real ones), with a
 * `#showcase` channel beside `#general` (the page shows both) for starred images.
 */
export async function startPlayground(): Promise<{ discord: LocalDiscord; env: Record<string, string>; showcaseChannelId: string }> {
  // Loaded only in playground mode, as the simulator is only without MJ_API_URL (src/app.ts).
  const { startLocalDiscord } = await import('./discord');
  // Its bot token is a fresh random one per run: nothing else on this machine can drive the local gateway.
  const discord = await startLocalDiscord({ maxFiles: 300 });
  // What the page holds stays bounded however long it runs: the newest files and messages are kept.
  discord.world.maxCdnBytes = 64 * 1024 * 1024;
  discord.world.maxMessages = 500;
  const showcaseChannelId = discord.world.addChannel('showcase');
  return {
    discord,
    showcaseChannelId,
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
