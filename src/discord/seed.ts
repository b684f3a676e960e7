import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { SEED_PREFIX } from '../render/buttons';
import { unexpired, type TrackedTask } from '../store';
import type { BotContext } from './context';
import { canSeeTask, sameGuild } from './preconditions';

/** The answer to a Seed click: the number and how to use it. */
export function seedMessage(taskId: string, seed: string): string {
  return `🌱 Seed of task \`${taskId}\`: **${seed}**\nAdd \`--seed ${seed}\` to a prompt to start from the same noise.`;
}

/**
 * "Seed" on a finished image: `/mj/task/{id}/image-seed`, answered privately. The API may take up to a
 * minute, so the click is deferred (ephemerally) first; a seed once known is kept in the store.
 */
export async function handleSeedButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const taskId = interaction.customId.slice(SEED_PREFIX.length);
  const record = unexpired<TrackedTask>(await ctx.store.tasks.get(taskId), ctx.clock());
  sameGuild(interaction, record, 'This button is no longer available. Try `/task` with the id in the card footer.');
  // Checked before the stored seed too: a private /task answer re-renders the button for whoever may ask.
  await canSeeTask(interaction, record);
  const cacheKey = `seed:${taskId}`;
  const known = await ctx.store.meta.get(cacheKey);
  if (typeof known === 'string') {
    await interaction.reply({ content: seedMessage(taskId, known), flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const seed = await ctx.mj.imageSeed(taskId);
  await ctx.store.meta.set(cacheKey, seed);
  await interaction.editReply({ content: seedMessage(taskId, seed) });
}
