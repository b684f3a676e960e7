import type { RepliableInteraction } from 'discord.js';
import type { BotContext } from './context';
import { inAllowedChannel, memberOf } from './preconditions';
import { checkBannedWords } from './start-task';

/**
 * The server's rules for an interaction that will start a task, checked before it is deferred: the channel,
 * banned words in the prompt, and whether the member's quota, concurrency and the server budget have room.
 * The slot itself is taken atomically when the task is submitted (start-task.ts); this only answers early.
 */
export async function precheckTask(interaction: RepliableInteraction, ctx: BotContext, prompt: string): Promise<void> {
  if (!interaction.inGuild() || !interaction.channelId) return;
  const where = interaction as RepliableInteraction & { guildId: string; channelId: string };
  inAllowedChannel(interaction, (await ctx.quotas.settings(where.guildId)).channels);
  if (prompt) await checkBannedWords(ctx, where.guildId, prompt);
  (await ctx.quotas.reserve(memberOf(where), 1)).release();
}
