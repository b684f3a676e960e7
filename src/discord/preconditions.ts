import { PermissionFlagsBits, type BaseInteraction } from 'discord.js';
import { UserError } from '../errors';
import { unexpired, type ButtonTarget, type TrackedTask } from '../store';
import type { BotContext } from './context';

/**
 * "Who may" checks shared by commands and buttons, in the style of Sapphire preconditions: each one returns
 * when the member may go on, or throws a UserError the router shows privately. The API does not filter by
 * user or server, so the bot's own records and Discord's permissions decide who may see what.
 */

const NOT_IN_THIS_GUILD = 'This task was not started by this bot in this server.';
const CANNOT_SEE = "You can't see the channel this task was started in, so you can't view it.";

/** What a click on a card older than RETENTION_DAYS (or from another server) is told. */
export const CARD_EXPIRED = 'This card has expired. Run `/task` with the id in its footer, or start again.';

/** The target of a button (or of the form it opened): stored, not expired, and from this server. */
export async function liveButtonTarget(interaction: BaseInteraction, ctx: BotContext, key: string): Promise<ButtonTarget> {
  const target = unexpired<ButtonTarget>(await ctx.store.buttons.get(key), ctx.clock());
  if (!target || target.guildId !== interaction.guildId) throw new UserError(CARD_EXPIRED);
  return target;
}

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
