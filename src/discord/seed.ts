import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { SEED_PREFIX } from '../render/button-rows';
import { unexpired, type TrackedTask } from '../store';
import type { BotContext } from './context';
import { memberMessages } from './locale';
import { canSeeTask, sameGuild } from './preconditions';

/**
 * "Seed" on a finished image: `/mj/task/{id}/image-seed`, answered privately. The API may take up to a
 * minute, so the click is deferred (ephemerally) first; a seed once known is kept in the store.
 */
export async function handleSeedButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const taskId = interaction.customId.slice(SEED_PREFIX.length);
  const record = unexpired<TrackedTask>(await ctx.store.tasks.get(taskId), ctx.clock());
  sameGuild(interaction, record, (t) => t.access.seedGone);
  // Checked before the stored seed too: a private /task answer re-renders the button for whoever may ask.
  await canSeeTask(interaction, record);
  const cacheKey = `seed:${taskId}`;
  const known = await ctx.store.meta.get(cacheKey);
  const t = memberMessages(interaction);
  // The footer's id, as the API that made the image knows it.
  const apiId = ctx.upstreams.ref(taskId).id;
  if (typeof known === 'string') {
    await interaction.reply({ content: t.buttons.seed(apiId, known), flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const seed = await ctx.upstreams.followUp(taskId, ({ upstream, id }) => upstream.client.imageSeed(id));
  await ctx.store.meta.set(cacheKey, seed);
  await interaction.editReply({ content: t.buttons.seed(apiId, seed) });
}
