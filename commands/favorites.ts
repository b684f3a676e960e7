import { ApplicationCommandOptionType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/context';
import { favoritesPage } from '../src/discord/list-pages';
import { described, named } from '../src/i18n';

export default {
  data: {
    name: 'favorites',
    ...described((t) => t.commands.favorites.description),
    contexts: [InteractionContextType.Guild],
    options: [{ type: ApplicationCommandOptionType.Integer, ...named('page'), ...described((t) => t.commands.favorites.page), required: false, min_value: 1, max_value: 1000 }],
  },
  async execute(interaction, ctx) {
    // Private: a member's favourites are theirs to show (◀ ▶ page it in place, src/discord/list-pages.ts).
    const payload = await favoritesPage(interaction, ctx, interaction.options.getInteger('page') ?? 1);
    await interaction.reply({ content: payload.content, embeds: payload.embeds, components: payload.components, allowedMentions: payload.allowed_mentions, flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
