import { InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/context';
import { memberMessages } from '../src/discord/locale';
import { memberOf } from '../src/discord/preconditions';
import { UserError } from '../src/errors';
import { described } from '../src/i18n';

export default {
  data: {
    name: 'quota',
    ...described((t) => t.commands.quota.description),
    contexts: [InteractionContextType.Guild],
  },
  async execute(interaction, ctx) {
    if (!interaction.inGuild() || !interaction.channelId) throw new UserError((t) => t.quota.useInServer);
    const t = memberMessages(interaction);
    const status = await ctx.quotas.status(memberOf(interaction as typeof interaction & { channelId: string }));
    const resets = `<t:${Math.floor(status.resetsAt / 1000)}:R>`;
    const budget =
      status.budget === undefined ? t.quota.budgetNone : t.quota.budgetLeft(Math.max(0, status.budget - status.budgetUsed), status.budget);
    const lines = status.admin
      ? [t.quota.adminLine, t.quota.adminToday(status.usedToday, status.inFlight), budget]
      : [
          t.quota.today(status.usedToday, status.daily, resets),
          t.quota.inFlight(status.inFlight, status.concurrent),
          t.quota.fastest(status.fastest),
          budget,
        ];
    await interaction.reply({ content: lines.join('\n'), flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
