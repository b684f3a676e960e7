import { PermissionFlagsBits, RESTJSONErrorCodes, DiscordAPIError, type Client } from 'discord.js';
import type { Member } from '../limits/ledger';

/**
 * A member as Discord says they are now: their roles and whether they manage the server may have changed since
 * they clicked (the region editor's page stays open up to 15 minutes). Undefined when they left the server.
 */
export async function refreshMember(client: Client, member: Member): Promise<Member | undefined> {
  const guild = client.guilds.cache.get(member.guildId);
  if (!guild) return undefined;
  try {
    const fresh = await guild.members.fetch({ user: member.userId, force: true, cache: false });
    return {
      ...member,
      name: fresh.displayName,
      roleIds: [...fresh.roles.cache.keys()].filter((id) => id !== guild.id),
      admin: fresh.permissions.has(PermissionFlagsBits.ManageGuild),
    };
  } catch (error) {
    if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember) return undefined;
    throw error;
  }
}
