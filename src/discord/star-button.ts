import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { UserError } from '../errors';
import { offersStar } from '../render/card';
import { STAR_PREFIX } from '../render/button-rows';
import type { BotContext } from './context';
import { memberMessages } from './locale';
import { canSeeTask, sameGuild } from './preconditions';

/**
 * ⭐ under a finished image: any member who can see the card stars it, or takes their star back, and is told so
 * privately in one line. It starts no task and reaches no API, and it is not one of the task's own (owner-only)
 * buttons. The card's count and the showcase follow in the background.
 */
export async function handleStarButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const taskId = interaction.customId.slice(STAR_PREFIX.length);
  const task = await ctx.tracker.find(taskId);
  sameGuild(interaction, task, (t) => t.access.cardExpired);
  await canSeeTask(interaction, task);
  if (!offersStar(task)) throw new UserError((t) => t.stars.notAnImage);
  const { starred, count, repeat } = await ctx.stars.toggle(task, interaction.user.id);
  // Under way before the answer: what the member is told has happened, whatever becomes of the answer. A double
  // click changed nothing: there is nothing new to show.
  if (!repeat) {
    ctx.starCards.changed(taskId);
    if (starred && interaction.inCachedGuild()) ctx.showcase.consider(interaction.guild, task, count);
  }
  const t = memberMessages(interaction);
  await interaction.reply({ content: starred ? t.stars.starred(count) : t.stars.unstarred(count), flags: MessageFlags.Ephemeral });
}

export const isStarButton = (customId: string) => customId.startsWith(STAR_PREFIX);
