import { InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/context';
import { memberMessages } from '../src/discord/locale';
import { memberOf } from '../src/discord/preconditions';
import { UserError } from '../src/errors';
import { described } from '../src/i18n';
import { discordTime } from '../src/limits/strikes';

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
    // Strikes (banned prompts), once there is one: a lock first, as it matters most; nothing where strikes are off.
    const strikes = await ctx.strikes.status(interaction.guildId, interaction.user.id);
    const lock = !status.admin && strikes.lockedUntil ? [t.quota.locked(discordTime(strikes.lockedUntil))] : [];
    const count = strikes.limit > 0 && strikes.count > 0 ? [status.admin ? t.quota.adminStrikes(strikes.count, strikes.hours) : t.quota.strikes(strikes.count, strikes.limit, strikes.hours)] : [];
    const lines = status.admin
      ? [t.quota.adminLine, t.quota.adminToday(status.usedToday, status.inFlight), budget, ...count]
      : [...lock, t.quota.today(status.usedToday, status.daily, resets), t.quota.inFlight(status.inFlight, status.concurrent), t.quota.fastest(status.fastest), budget, ...count];
    await interaction.reply({ content: lines.join('\n'), flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
