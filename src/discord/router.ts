import type { Interaction } from 'discord.js';
import { UserError } from '../errors';
import type { BotContext, Command } from './context';
import { handleMjButton, isEditPromptButton, isMjButton, isSeedButton } from './button-clicks';
import { handlePageButton, isPageButton } from './list-pages';
import { handleModalSubmit, openEditPromptModal, resumeButtonPrompt } from './modals';
import { inAllowedGuild } from './preconditions';
import { reportError } from './replies';
import { handleSeedButton } from './seed';
import { handleSettingsControl, isSettingsControl } from './settings-controls';
import { handleStarButton, isStarButton } from './star-button';
import type { Resume } from './start-task';
import { handleChoiceButton, handleChoiceForm, isChoiceButton, isChoiceForm } from './translation-choice';

/** Routes every interaction to its handler; nothing a handler throws escapes (the process never dies on one request). */
export function createInteractionRouter(ctx: BotContext, commands: readonly Command[]) {
  const byName = new Map(commands.map((command) => [command.data.name, command]));
  // Who starts a waiting start again once its member chose: the commands that offer a choice, and the prompt forms.
  const resumers = new Map<string, Resume>([...commands.flatMap((command) => (command.resume ? [[command.data.name, command.resume] as const] : [])), ['form', resumeButtonPrompt]]);
  return async function route(interaction: Interaction): Promise<void> {
    if (!interaction.isRepliable()) return;
    try {
      inAllowedGuild(interaction, ctx.config.ALLOWED_GUILD_IDS);
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) throw new UserError((t) => t.common.commandGone);
        await command.execute(interaction, ctx);
      } else if (interaction.isButton()) {
        if (isMjButton(interaction.customId)) await handleMjButton(interaction, ctx);
        else if (isSeedButton(interaction.customId)) await handleSeedButton(interaction, ctx);
        // ⭐ is any member's: it never reaches the owner-only check of the task's own buttons above.
        else if (isStarButton(interaction.customId)) await handleStarButton(interaction, ctx);
        else if (isPageButton(interaction.customId)) await handlePageButton(interaction, ctx);
        else if (isEditPromptButton(interaction.customId)) await openEditPromptModal(interaction, ctx);
        else if (isSettingsControl(interaction.customId)) await handleSettingsControl(interaction, ctx);
        else if (isChoiceButton(interaction.customId)) await handleChoiceButton(interaction, ctx, resumers);
        else throw new UserError((t) => t.common.buttonGone);
      } else if (interaction.isStringSelectMenu()) {
        if (isSettingsControl(interaction.customId)) await handleSettingsControl(interaction, ctx);
        else throw new UserError((t) => t.common.buttonGone);
      } else if (interaction.isModalSubmit()) {
        if (isChoiceForm(interaction.customId)) await handleChoiceForm(interaction, ctx, resumers);
        else await handleModalSubmit(interaction, ctx);
      }
    } catch (error) {
      await reportError(interaction, error, ctx.logger);
    }
  };
}
