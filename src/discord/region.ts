import { ButtonStyle, ComponentType, MessageFlags, type ButtonInteraction } from 'discord.js';
import { UserError } from '../errors';
import type { ButtonTarget } from '../store';
import type { BotContext } from './context';
import { memberOf } from './preconditions';
import { INTERACTION_TOKEN_MS } from './start-task';

/**
 * Vary (Region): Discord cannot paint a mask, so the owner gets a private link to the bot's region editor page
 * (src/editor/), valid 15 minutes, once. Without PUBLIC_URL the page cannot be reached: the member is told why.
 */
export async function openRegionEditor(interaction: ButtonInteraction, ctx: BotContext, target: ButtonTarget): Promise<void> {
  const publicUrl = ctx.config.PUBLIC_URL;
  if (!publicUrl) {
    throw new UserError(
      'Vary (Region) opens an editor page served by this bot, and this server has not set PUBLIC_URL: ask an admin to set it. Meanwhile try Vary (Subtle) or Vary (Strong), or Zoom/Pan.',
    );
  }
  if (!interaction.inGuild() || !interaction.channelId) throw new UserError('Please use this button in a server channel.');
  const parent = await ctx.store.tasks.get(target.taskId);
  const token = await ctx.editor.open({
    taskId: target.taskId,
    customId: target.customId,
    label: target.label,
    member: memberOf(interaction as ButtonInteraction & { guildId: string; channelId: string }),
    prompt: parent?.prompt || parent?.view.finalPrompt || '',
    interaction: { applicationId: interaction.applicationId, token: interaction.token, expiresAt: interaction.createdTimestamp + INTERACTION_TOKEN_MS },
  });
  const url = `${publicUrl.replace(/\/+$/, '')}/editor/${token}`;
  await interaction.reply({
    content: 'Paint the area to redraw, write what goes there, and submit: the result gets its own card here. The link works once, for 15 minutes.',
    components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Link, label: 'Open the region editor', url }] }],
    flags: MessageFlags.Ephemeral,
  });
}
