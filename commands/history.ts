import { ApplicationCommandOptionType, InteractionContextType, MessageFlags } from 'discord.js';
import { HISTORY_KINDS } from '../src/community/kinds';
import type { Command } from '../src/discord/context';
import { choiceOption } from '../src/discord/input';
import { historyKindOf, historyPage } from '../src/discord/list-pages';
import { described, named } from '../src/i18n';

export default {
  data: {
    name: 'history',
    ...described((t) => t.commands.history.description),
    contexts: [InteractionContextType.Guild],
    options: [
      { type: ApplicationCommandOptionType.Integer, ...named('page'), ...described((t) => t.commands.history.page), required: false, min_value: 1, max_value: 1000 },
      choiceOption('kind', (t) => t.commands.history.kind, HISTORY_KINDS),
    ],
  },
  async execute(interaction, ctx) {
    // Private and the member's own: nobody reads another member's history (admins have /admin usage).
    const kind = historyKindOf(interaction.options.getString('kind'));
    const payload = await historyPage(interaction, ctx, interaction.options.getInteger('page') ?? 1, kind);
    await interaction.reply({ content: payload.content, embeds: payload.embeds, components: payload.components, allowedMentions: payload.allowed_mentions, flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
