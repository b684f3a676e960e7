import { ApplicationCommandOptionType, InteractionContextType, MessageFlags } from 'discord.js';
import { starCount } from '../src/community/stars';
import type { Command } from '../src/discord/context';
import { memberLocale, memberMessages } from '../src/discord/locale';
import { canSeeTask, sameGuild } from '../src/discord/preconditions';
import { described, named } from '../src/i18n';
import { cardUrl } from '../src/render/card';

export default {
  data: {
    name: 'task',
    ...described((t) => t.commands.task.description),
    contexts: [InteractionContextType.Guild],
    options: [
      { type: ApplicationCommandOptionType.String, ...named('id'), ...described((t) => t.commands.task.id), required: true, max_length: 64 },
    ],
  },
  async execute(interaction, ctx) {
    // Members paste the footer as they see it, in English ("Task …") or Chinese ("任务 …").
    const id = (interaction.options.getString('id') ?? '').trim().replace(/^(Task|任务)\s*/i, '');
    // The footer's id is the task's key (the API's id, prefixed by the API's name but for the default API); an id
    // typed without its API's name is looked for at every API, in this server.
    const keys = id ? [...new Set([id, ...ctx.upstreams.all.map((upstream) => ctx.upstreams.key(upstream, id))])] : [];
    let record;
    for (const key of keys) {
      const found = await ctx.tracker.find(key);
      if (found && found.message.guildId === interaction.guildId) {
        record = found;
        break;
      }
    }
    // The API does not filter by user or server, so the bot's own records decide who may see what.
    sameGuild(interaction, record, (t) => t.task.notFound(id.slice(0, 64) || t.task.empty));
    await canSeeTask(interaction, record);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    // A private answer: in the language of the member who asked, whatever the channel's card shows; with the
    // image's own link (this answer does not carry the attachment of the original card).
    const { payload } = await ctx.tracker.preview(record, memberLocale(interaction), starCount(await ctx.stars.get(record.taskId)));
    const where = cardUrl(record);
    await interaction.editReply({ content: where ? memberMessages(interaction).task.card(where) : '', embeds: payload.embeds, components: payload.components });
  },
} satisfies Command;
