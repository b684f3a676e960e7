import { InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/context';
import { memberOf } from '../src/discord/preconditions';
import { UserError } from '../src/errors';

export default {
  data: {
    name: 'quota',
    description: 'How many Midjourney tasks you may still start today',
    contexts: [InteractionContextType.Guild],
  },
  async execute(interaction, ctx) {
    if (!interaction.inGuild() || !interaction.channelId) throw new UserError('Use `/quota` in a server.');
    const status = await ctx.quotas.status(memberOf(interaction as typeof interaction & { channelId: string }));
    const resets = `<t:${Math.floor(status.resetsAt / 1000)}:R>`;
    const budget =
      status.budget === undefined
        ? 'Server budget: none.'
        : `Server budget: ${Math.max(0, status.budget - status.budgetUsed)} of ${status.budget} tasks left today.`;
    const lines = status.admin
      ? [
          'You can manage this server: no limits apply to you (your tasks still count in the server budget and usage).',
          `Today: ${status.usedToday} tasks. In flight: ${status.inFlight}.`,
          budget,
        ]
      : [
          `Today: ${status.usedToday} of ${status.daily} tasks used (${Math.max(0, status.daily - status.usedToday)} left). Resets ${resets}.`,
          `In flight: ${status.inFlight} of ${status.concurrent} at a time.`,
          `Fastest mode: ${status.fastest ?? 'any'}.`,
          budget,
        ];
    await interaction.reply({ content: lines.join('\n'), flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
