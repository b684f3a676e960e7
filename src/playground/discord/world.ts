import { Snowflakes } from './snowflake';
import type { LocalAttachment, LocalInteraction, LocalMessage, LocalOverwrite, LocalRole, LocalUser } from './wire-types';

export const MESSAGE_FLAG_EPHEMERAL = 64;
export const MESSAGE_FLAG_LOADING = 128;

/** @public */
export const PERMISSION_ADMINISTRATOR = 1n << 3n;
/** @public */
export const PERMISSION_VIEW_CHANNEL = 1n << 10n;
/** What the owner and administrators get: every bit up to the highest Discord defines today. */
export const ALL_PERMISSIONS = (1n << 53n) - 1n;
/** @everyone's permissions in the local guild (Discord's defaults for a new server). */
const EVERYONE_PERMISSIONS = 2248473465835073n;

export const user = (id: string, username: string, bot = false): LocalUser => ({
  id,
  username,
  global_name: bot ? null : username[0]!.toUpperCase() + username.slice(1),
  discriminator: '0',
  avatar: null,
  ...(bot ? { bot: true } : {}),
});

/**
 * The state every part of the local Discord shares: one guild, its channels, roles, members, messages, interactions, CDN.
 * `general` and `art` are open to everyone; `addChannel` adds more, with their permission overwrites.
 */
export class World {
  /** Every id this Discord hands out (declared first: the fields below take theirs from it). */
  readonly ids = new Snowflakes();
  readonly guildId = this.ids.next();
  readonly channelId = this.ids.next();
  readonly otherChannelId = this.ids.next();
  readonly applicationId = this.ids.next();
  readonly botUser: LocalUser;
  readonly alice = user(this.ids.next(), 'alice');
  readonly bob = user(this.ids.next(), 'bob');
  /** The owner has every permission everywhere, as on Discord; tests may hand the guild to someone else. */
  ownerId = this.alice.id;
  /** The server's `preferred_locale`, also sent as every interaction's `guild_locale`. */
  guildLocale = 'en-US';
  /** Every role of the guild; the first is @everyone (its id is the guild id). */
  readonly roles: LocalRole[] = [{ id: this.guildId, name: '@everyone', permissions: String(EVERYONE_PERMISSIONS), position: 0 }];
  /** Role ids per user id (a user absent here has only @everyone). */
  readonly memberRoles = new Map<string, string[]>();
  /** The main guild's text channels, in their order (their position). */
  private readonly channels: Array<{ id: string; name: string }> = [
    { id: this.channelId, name: 'general' },
    { id: this.otherChannelId, name: 'art' },
  ];
  /** Permission overwrites per channel id (a channel absent here has none). */
  readonly overwrites = new Map<string, LocalOverwrite[]>();
  /** Every member the local Discord has seen act (for user options). */
  readonly users = new Map<string, LocalUser>();
  /** Members who left the guild: GET …/members/:user answers 10007 Unknown Member for them. */
  readonly departed = new Set<string>();
  /** Direct-message channels the bot opened (POST /users/@me/channels): channel id → the member's id. */
  readonly dms = new Map<string, string>();
  /** Guilds the bot left (DELETE /users/@me/guilds/:guild). */
  readonly left = new Set<string>();
  /** More guilds (one `general` channel each, no custom roles): for shards, a guild whose id lands on each. */
  readonly extraGuilds: Array<{ id: string; channelId: string }> = [];
  readonly messages = new Map<string, LocalMessage>();
  readonly interactions = new Map<string, LocalInteraction>();
  readonly byToken = new Map<string, LocalInteraction>();
  readonly cdn = new Map<string, { data: Buffer; contentType: string }>();
  /** Commands registered by bulk PUT, per scope ('global' or a guild id). */
  readonly commands = new Map<string, any[]>();
  baseUrl = '';
  /** CDN files kept, and their bytes together: the oldest goes first (see LocalDiscordOptions.maxFiles). */
  maxFiles = Number.POSITIVE_INFINITY;
  maxCdnBytes = Number.POSITIVE_INFINITY;
  private cdnBytes = 0;
  /** Messages kept: the oldest goes first (the playground's channel is a window, not an archive). */
  maxMessages = Number.POSITIVE_INFINITY;
  /** Called after every change the bot makes (the playground page redraws). */
  readonly watchers = new Set<() => void>();

  changed(): void {
    for (const watcher of this.watchers) watcher();
  }

  constructor() {
    this.botUser = user(this.applicationId, 'mj-bridge', true);
  }

  /** Adds a role to the guild (state only: `LocalDiscord.addRole` also tells a connected bot). */
  addRole(name: string, permissions = 0n): LocalRole {
    const role: LocalRole = { id: this.ids.next(), name, permissions: String(permissions), position: this.roles.length };
    this.roles.push(role);
    return role;
  }

  /**
   * Adds a text channel to the main guild with its permission overwrites (none: open to everyone), and returns its
   * id. State only: a bot connected already learns of it at its next GUILD_CREATE.
   */
  addChannel(name: string, overwrites: LocalOverwrite[] = []): string {
    const id = this.ids.next();
    this.channels.push({ id, name });
    if (overwrites.length > 0) this.overwrites.set(id, overwrites);
    return id;
  }

  /** A member's guild-wide permissions: @everyone's and their roles', all of them for the owner and administrators. */
  basePermissions(userId: string): bigint {
    if (userId === this.ownerId) return ALL_PERMISSIONS;
    const held = new Set([this.guildId, ...(this.memberRoles.get(userId) ?? [])]);
    const permissions = this.roles.filter((role) => held.has(role.id)).reduce((bits, role) => bits | BigInt(role.permissions), 0n);
    return permissions & PERMISSION_ADMINISTRATOR ? ALL_PERMISSIONS : permissions;
  }

  /**
   * A member's permissions in a channel, as Discord computes them: the base, then the channel's @everyone
   * overwrite, then the overwrites of the member's roles taken together, then the member's own overwrite.
   */
  permissionsIn(userId: string, channelId: string): bigint {
    // The extra guilds have no roles or overwrites: @everyone's defaults, the owner everything.
    if (this.guildOf(channelId) !== this.guildId) return userId === this.ownerId ? ALL_PERMISSIONS : EVERYONE_PERMISSIONS;
    let permissions = this.basePermissions(userId);
    if (permissions === ALL_PERMISSIONS) return permissions;
    const overwrites = this.overwrites.get(channelId) ?? [];
    const apply = (list: LocalOverwrite[]) => {
      const deny = list.reduce((bits, o) => bits | BigInt(o.deny), 0n);
      const allow = list.reduce((bits, o) => bits | BigInt(o.allow), 0n);
      permissions = (permissions & ~deny) | allow;
    };
    const roles = new Set(this.memberRoles.get(userId) ?? []);
    apply(overwrites.filter((o) => o.type === 0 && o.id === this.guildId));
    apply(overwrites.filter((o) => o.type === 0 && o.id !== this.guildId && roles.has(o.id)));
    apply(overwrites.filter((o) => o.type === 1 && o.id === userId));
    return permissions;
  }

  /** Adds a guild whose id the gateway routes to `shard` of `shardCount` ((id >> 22) % count), and its channel. */
  addGuild(shard = 0, shardCount = 1): { id: string; channelId: string } {
    let id = this.ids.next();
    for (let ms = Date.now(); (BigInt(id) >> 22n) % BigInt(shardCount) !== BigInt(shard); ms += 1) id = this.ids.next(ms);
    const guild = { id, channelId: this.ids.next() };
    this.extraGuilds.push(guild);
    return guild;
  }

  /** Every guild the bot is in: the main one first. */
  guildIds(): string[] {
    return [this.guildId, ...this.extraGuilds.map((g) => g.id)];
  }

  /** The guild a channel belongs to. */
  guildOf(channelId: string): string {
    return this.extraGuilds.find((g) => g.channelId === channelId)?.id ?? this.guildId;
  }

  guild(guildId = this.guildId): Record<string, unknown> {
    const extra = this.extraGuilds.find((g) => g.id === guildId);
    const channel = (id: string, name: string, position: number) => ({
      id,
      type: 0,
      guild_id: guildId,
      name,
      position,
      permission_overwrites: this.overwrites.get(id) ?? [],
      nsfw: false,
      parent_id: null,
      rate_limit_per_user: 0,
      topic: null,
      last_message_id: null,
      flags: 0,
    });
    return {
      id: guildId,
      name: extra ? `Fake Guild ${guildId.slice(-4)}` : 'Fake Guild',
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: extra
        ? [this.wireRole({ id: guildId, name: '@everyone', permissions: String(EVERYONE_PERMISSIONS), position: 0 })]
        : this.roles.map((role) => this.wireRole(role)),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: extra?.channelId ?? this.channelId,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: this.guildLocale,
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 3,
      voice_states: [],
      members: [this.member(this.botUser)],
      channels: extra
        ? [channel(extra.channelId, 'general', 0)]
        : this.channels.map(({ id, name }, position) => channel(id, name, position)),
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** A role as the API sends it. */
  wireRole(role: LocalRole): Record<string, unknown> {
    return {
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      managed: false,
      mentionable: false,
      flags: 0,
      ...role,
    };
  }

  /** A guild member as the API sends it; in an interaction (`channelId` given) with their permissions in that channel. */
  member(of: LocalUser, channelId?: string) {
    return {
      user: of,
      nick: null,
      avatar: null,
      roles: channelId && this.guildOf(channelId) !== this.guildId ? [] : [...(this.memberRoles.get(of.id) ?? [])],
      joined_at: new Date().toISOString(),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      permissions: String(channelId ? this.permissionsIn(of.id, channelId) : this.basePermissions(of.id)),
      communication_disabled_until: null,
    };
  }

  channel(id: string): Record<string, unknown> | undefined {
    const recipient = this.dms.get(id);
    if (recipient) return { id, type: 1, recipients: [this.users.get(recipient) ?? user(recipient, `user${recipient.slice(-4)}`)] };
    return (this.guild(this.guildOf(id)).channels as Array<{ id: string }>).find((c) => c.id === id);
  }

  /** The bot's direct-message channel with a member (one per member, as on Discord). */
  dmChannel(userId: string): string {
    for (const [id, recipient] of this.dms) if (recipient === userId) return id;
    const id = this.ids.next();
    this.dms.set(id, userId);
    return id;
  }

  createMessage(channelId: string, author: LocalUser, fields: Partial<LocalMessage>): LocalMessage {
    const message: LocalMessage = {
      id: this.ids.next(),
      channel_id: channelId,
      guild_id: this.dms.has(channelId) ? undefined : this.guildOf(channelId),
      author,
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      flags: 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      type: 0,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      editCount: 0,
      deleted: false,
      ...fields,
    };
    this.messages.set(message.id, message);
    while (this.messages.size > this.maxMessages) this.messages.delete(this.messages.keys().next().value!);
    return message;
  }

  /** Serves bytes as a Discord CDN attachment would be. */
  addCdnFile(filename: string, data: Buffer, contentType: string, size = data.length): LocalAttachment {
    const id = this.ids.next();
    const path = `/cdn/attachments/${id}/${encodeURIComponent(filename)}`;
    this.cdn.set(path, { data, contentType });
    this.cdnBytes += data.length;
    while (this.cdn.size > 1 && (this.cdn.size > this.maxFiles || this.cdnBytes > this.maxCdnBytes)) {
      const oldest = this.cdn.keys().next().value!;
      this.cdnBytes -= this.cdn.get(oldest)!.data.length;
      this.cdn.delete(oldest);
    }
    const url = `${this.baseUrl}${path}`;
    return { id, filename, size, content_type: contentType, url, proxy_url: url };
  }

  /** A message as the API returns it (without the local Discord's bookkeeping). */
  wire(message: LocalMessage): Record<string, unknown> {
    const { editCount: _e, deleted: _d, ...rest } = message;
    return rest;
  }
}
