import { ApplicationCommandOptionType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/context';
import { canSeeTask, sameGuild } from '../src/discord/preconditions';
import { unexpired, type TrackedTask } from '../src/store';
import { isTerminal, viewFromTask } from '../src/tasks/view';

export default {
  data: {
    name: 'task',
    description: 'Show the current card of a Midjourney task started in this server',
    contexts: [InteractionContextType.Guild],
    options: [
      { type: ApplicationCommandOptionType.String, name: 'id', description: 'The task id (in the footer of its card)', required: true, max_length: 64 },
    ],
  },
  async execute(interaction, ctx) {
    const id = (interaction.options.getString('id') ?? '').trim().replace(/^Task\s+/i, '');
    const record = id ? unexpired<TrackedTask>(await ctx.store.tasks.get(id), ctx.clock()) : undefined;
    // The API does not filter by user or server, so the bot's own records decide who may see what.
    sameGuild(interaction, record, `No task \`${id.slice(0, 64) || '(empty)'}\` was started by this bot in this server. The id is in the footer of a card.`);
    await canSeeTask(interaction, record);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const current = structuredClone(record);
    if (!isTerminal(current.view.status) || current.phase === 'detached') {
      const fresh = await ctx.mj.fetchTask(id).catch(() => undefined);
      if (fresh) current.view = viewFromTask(fresh, current.view);
    }
    // Shown with the image's own link: this answer does not carry the attachment of the original card.
    const { payload } = await ctx.tracker.delivery.preview(current);
    const where = record.message.messageId && record.phase !== 'detached'
      ? `https://discord.com/channels/${record.message.guildId}/${record.message.channelId}/${record.message.messageId}`
      : '';
    await interaction.editReply({ content: where ? `Card: ${where}` : '', embeds: payload.embeds, components: payload.components });
  },
} satisfies Command;
