import { ApplicationCommandOptionType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/context';
import { checkPrompt } from '../src/mj/prompt';
import { memberMessages } from '../src/discord/locale';
import { UserError } from '../src/errors';
import { described, named } from '../src/i18n';
import { typedMode } from '../src/mj/modes';
import { updatePrefs } from '../src/prefs/store';

/** Long enough for any set of parameters; the prompt with it is checked against the provider's limit when sent. */
const MAX_SUFFIX = 1000;

export default {
  data: {
    name: 'prefer',
    ...described((t) => t.commands.prefer.description),
    contexts: [InteractionContextType.Guild],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'suffix',
        ...described((t) => t.commands.prefer.suffix),
        options: [{ type: ApplicationCommandOptionType.String, ...named('text'), ...described((t) => t.commands.prefer.text), required: false, max_length: MAX_SUFFIX }],
      },
    ],
  },
  async execute(interaction, ctx) {
    if (!interaction.inGuild()) throw new UserError((t) => t.common.useInServer);
    const raw = (interaction.options.getString('text') ?? '').trim();
    // Midjourney's /prefer suffix: the same text at the end of every prompt. Speed is a setting, not a suffix.
    if (raw && typedMode(raw)) throw new UserError((t) => t.settings.suffixHasMode);
    const suffix = raw ? checkPrompt(raw, ctx.upstreams) : undefined;
    if (suffix) await ctx.starter.checkWords(interaction.guildId, suffix);
    await updatePrefs(ctx.store, interaction.guildId, interaction.user.id, (prefs) => ({ ...prefs, suffix }));
    const t = memberMessages(interaction);
    await interaction.reply({ content: suffix ? t.settings.suffixSet(suffix) : t.settings.suffixRemoved, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  },
} satisfies Command;
