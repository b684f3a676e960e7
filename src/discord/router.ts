import type { Interaction } from 'discord.js';
import { UserError } from '../errors';
import type { BotContext, Command } from './context';
import { handleMjButton, isMjButton } from './buttons';
import { reportError } from './replies';

/** Routes every interaction to its handler; nothing a handler throws escapes (the process never dies on one request). */
export function createInteractionRouter(ctx: BotContext, commands: readonly Command[]) {
  const byName = new Map(commands.map((command) => [command.data.name, command]));
  return async function route(interaction: Interaction): Promise<void> {
    if (!interaction.isRepliable()) return;
    try {
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) throw new UserError('This command is not available any more. An admin may need to run deploy-commands.');
        await command.execute(interaction, ctx);
      } else if (interaction.isButton()) {
        if (!isMjButton(interaction.customId)) throw new UserError('This button is no longer available.');
        await handleMjButton(interaction, ctx);
      }
    } catch (error) {
      await reportError(interaction, error, ctx.logger);
    }
  };
}
