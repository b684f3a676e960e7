import { ChannelType, PermissionFlagsBits, type APIInteractionGuildMember, type BaseInteraction, type Guild } from 'discord.js';
import { UserError } from '../errors';
import type { Messages, Text } from '../i18n';
import type { Member } from '../limits/ledger';
import { unexpired, type ButtonTarget, type TrackedTask } from '../store';
import { findButtonTarget } from '../tasks/button-targets';
import type { BotContext } from './context';

/**
 * "Who may" checks shared by commands and buttons, in the style of Sapphire preconditions: each one returns
 * when the member may go on, or throws a UserError the router shows privately. The API does not filter by
 * user or server, so the bot's own records and Discord's permissions decide who may see what.
 */


/** The target of a button (or of the form it opened): stored, not expired, and from this server. */
export async function liveButtonTarget(interaction: BaseInteraction, ctx: BotContext, key: string): Promise<ButtonTarget> {
  const target = unexpired<ButtonTarget>(await findButtonTarget(ctx.store, key), ctx.clock());
  // A click on a card older than RETENTION_DAYS (or from another server).
  if (!target || target.guildId !== interaction.guildId) throw new UserError((t) => t.access.cardExpired);
  return target;
}

/** Only the member who started a task may use its buttons and forms; `refusal` names the owner. */
export function requireOwner(interaction: BaseInteraction, ownerId: string, refusal: (t: Messages, owner: string) => string): void {
  if (interaction.user.id !== ownerId) throw new UserError((t) => refusal(t, `<@${ownerId}>`));
}

/** The task exists and was started in the server the member is in. */
export function sameGuild(interaction: BaseInteraction, record: TrackedTask | undefined, message: Text = (t) => t.access.notInThisGuild): asserts record is TrackedTask {
  if (!record || !interaction.guildId || record.message.guildId !== interaction.guildId) throw new UserError(message);
}

/**
 * The member started the task, or can view the channel its card is in (as they could scroll to the card).
 * The refusal says nothing of the card itself.
 */
export async function canSeeTask(interaction: BaseInteraction, record: TrackedTask): Promise<void> {
  if (interaction.user.id === record.requesterId) return;
  if (await canViewChannel(interaction, record.message.channelId)) return;
  throw new UserError((t) => t.access.cannotSee, `user ${interaction.user.id} cannot view channel ${record.message.channelId} of task ${record.taskId}`);
}

/** Computed from the cached guild (roles and overwrites); without it, or without the channel, the answer is no. */
async function canViewChannel(interaction: BaseInteraction, channelId: string): Promise<boolean> {
  if (!interaction.inCachedGuild()) return false;
  const { guild, member } = interaction;
  const channel = guild.channels.cache.get(channelId) ?? (await guild.channels.fetch(channelId).catch(() => null));
  return channel?.permissionsFor(member).has(PermissionFlagsBits.ViewChannel) ?? false;
}

/**
 * Whether everyone in the server (@everyone) can view a channel, from the cached guild: what a showcase post may
 * show. A private thread, or a channel the cache does not know, is not.
 */
export function everyoneSees(guild: Guild, channelId: string): boolean {
  const channel = guild.channels.cache.get(channelId);
  const everyone = guild.roles.cache.get(guild.id);
  if (!channel || !everyone || channel.type === ChannelType.PrivateThread) return false;
  return channel.permissionsFor(everyone)?.has(PermissionFlagsBits.ViewChannel) ?? false;
}

/** Manage Server (or Administrator, which includes it) in the channel the member acts in. */
function isAdmin(interaction: BaseInteraction): boolean {
  return interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
}

/** Only members who manage the server may change its settings (also enforced by Discord: /admin's default permission). */
export function requireAdmin(interaction: BaseInteraction): void {
  if (!isAdmin(interaction)) throw new UserError((t) => t.access.adminOnly);
}

/** The member as quotas see them: who, where, which roles, and whether limits apply. */
export function memberOf(interaction: BaseInteraction & { guildId: string; channelId: string }): Member {
  const member = interaction.member;
  const roleIds = member
    ? interaction.inCachedGuild()
      ? [...interaction.member.roles.cache.keys()]
      : [...(member as APIInteractionGuildMember).roles]
    : [];
  const name = interaction.inCachedGuild() ? interaction.member.displayName : (interaction.user.globalName ?? interaction.user.username);
  return {
    guildId: interaction.guildId,
    userId: interaction.user.id,
    name,
    channelId: interaction.channelId,
    roleIds: roleIds.filter((id) => id !== interaction.guildId),
    admin: isAdmin(interaction),
  };
}

/** ALLOWED_GUILD_IDS: a public bot's invite link must not spend the plan in servers nobody allowed. */
export function inAllowedGuild(interaction: BaseInteraction, allowed: readonly string[]): void {
  if (allowed.length === 0 || (interaction.guildId && allowed.includes(interaction.guildId))) return;
  throw new UserError((t) => t.access.guildNotEnabled, `guild ${interaction.guildId ?? 'dm'} not in ALLOWED_GUILD_IDS`);
}
