import { PermissionFlagsBits, type BaseInteraction } from 'discord.js';
import { UserError } from '../errors';
import type { TrackedTask } from '../store/types';

/**
 * "Who may" checks shared by commands and buttons, in the style of Sapphire preconditions: each one returns
 * when the member may go on, or throws a UserError the router shows privately. The API does not filter by
 * user or server, so the bot's own records and Discord's permissions decide who may see what.
 */

const NOT_IN_THIS_GUILD = 'This task was not started by this bot in this server.';
const CANNOT_SEE = "You can't see the channel this task was started in, so you can't view it.";

/** The task exists and was started in the server the member is in. */
export function sameGuild(interaction: BaseInteraction, record: TrackedTask | undefined, message = NOT_IN_THIS_GUILD): asserts record is TrackedTask {
  if (!record || !interaction.guildId || record.message.guildId !== interaction.guildId) throw new UserError(message);
}

/**
 * The member started the task, or can view the channel its card is in (as they could scroll to the card).
 * The refusal says nothing of the card itself.
 */
export async function canSeeTask(interaction: BaseInteraction, record: TrackedTask): Promise<void> {
  if (interaction.user.id === record.requesterId) return;
  if (await canViewChannel(interaction, record.message.channelId)) return;
  throw new UserError(CANNOT_SEE, `user ${interaction.user.id} cannot view channel ${record.message.channelId} of task ${record.taskId}`);
}

/** Computed from the cached guild (roles and overwrites); without it, or without the channel, the answer is no. */
async function canViewChannel(interaction: BaseInteraction, channelId: string): Promise<boolean> {
  if (!interaction.inCachedGuild()) return false;
  const { guild, member } = interaction;
  const channel = guild.channels.cache.get(channelId) ?? (await guild.channels.fetch(channelId).catch(() => null));
  return channel?.permissionsFor(member).has(PermissionFlagsBits.ViewChannel) ?? false;
}
