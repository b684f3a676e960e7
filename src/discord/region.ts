import { ButtonStyle, ComponentType, MessageFlags, type ButtonInteraction } from 'discord.js';
import { UserError } from '../errors';
import type { ButtonTarget } from '../store';
import type { BotContext } from './context';
import { discordServerLocale, memberMessages } from './locale';
import { memberOf } from './preconditions';
import { tokenOf, uploadLimitOf } from './start-task';

/**
 * Vary (Region): Discord cannot paint a mask, so the owner gets a private link to the bot's region editor page
 * (src/editor/), valid 15 minutes, once. Without PUBLIC_URL the page cannot be reached: the member is told why.
 */
export async function openRegionEditor(interaction: ButtonInteraction, ctx: BotContext, target: ButtonTarget): Promise<void> {
  const publicUrl = ctx.config.PUBLIC_URL;
  if (!publicUrl) {
    throw new UserError((t) => t.buttons.regionNeedsUrl);
  }
  if (!interaction.inGuild() || !interaction.channelId) throw new UserError((t) => t.common.useInServer);
  const parent = await ctx.store.tasks.get(target.taskId);
  const member = memberOf(interaction as ButtonInteraction & { guildId: string; channelId: string });
  const token = await ctx.editor.open({
    discordLocale: discordServerLocale(interaction),
    taskId: target.taskId,
    customId: target.customId,
    label: target.label,
    member,
    prompt: parent?.prompt || parent?.view.finalPrompt || '',
    interaction: tokenOf(interaction),
    uploadLimit: uploadLimitOf(interaction),
  });
  const url = `${publicUrl.replace(/\/+$/, '')}/editor/${token}`;
  const t = memberMessages(interaction);
  await interaction.reply({
    content: t.buttons.regionLink,
    components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Link, label: t.buttons.regionOpen, url }] }],
    flags: MessageFlags.Ephemeral,
  });
}
