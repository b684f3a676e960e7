/**
 * `npm run deploy-commands`: registers the whole command set in one bulk PUT, to DISCORD_GUILD_ID when set
 * (instant, for trying the bot) or globally. Needs only the Discord variables; exits 0 on success.
 */
import { commands } from '../commands';
import { loadDiscordConfig } from '../src/config';
import { deployCommands, explainDeployError } from '../src/discord/deploy';

try {
  const { count, scope } = await deployCommands(loadDiscordConfig(), commands);
  process.stdout.write(`Registered ${count} commands ${scope}.\n`);
} catch (error) {
  process.stderr.write(`deploy-commands failed: ${explainDeployError(error)}\n`);
  process.exitCode = 1;
}
