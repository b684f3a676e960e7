import { snowflake } from './snowflake';
import type { FakeAttachment, FakeInteraction, FakeMessage, FakeUser } from './types';

export const MESSAGE_FLAG_EPHEMERAL = 64;
export const MESSAGE_FLAG_LOADING = 128;

export const user = (id: string, username: string, bot = false): FakeUser => ({
  id,
  username,
  global_name: bot ? null : username[0]!.toUpperCase() + username.slice(1),
  discriminator: '0',
  avatar: null,
  ...(bot ? { bot: true } : {}),
});

/** The state every part of the fake shares: one guild, two channels, members, messages, interactions, CDN. */
export class World {
  readonly guildId = snowflake();
  readonly channelId = snowflake();
  readonly otherChannelId = snowflake();
  readonly applicationId = snowflake();
  readonly botUser: FakeUser;
  readonly alice = user(snowflake(), 'alice');
  readonly bob = user(snowflake(), 'bob');
  readonly messages = new Map<string, FakeMessage>();
  readonly interactions = new Map<string, FakeInteraction>();
  readonly byToken = new Map<string, FakeInteraction>();
  readonly cdn = new Map<string, { data: Buffer; contentType: string }>();
  /** Commands registered by bulk PUT, per scope ('global' or a guild id). */
  readonly commands = new Map<string, any[]>();
  baseUrl = '';

  constructor() {
    this.botUser = user(this.applicationId, 'mj-bridge', true);
  }

  guild(): Record<string, unknown> {
    const channel = (id: string, name: string, position: number) => ({
      id,
      type: 0,
      guild_id: this.guildId,
      name,
      position,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
      rate_limit_per_user: 0,
      topic: null,
      last_message_id: null,
      flags: 0,
    });
    return {
      id: this.guildId,
      name: 'Fake Guild',
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.alice.id,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [
        { id: this.guildId, name: '@everyone', color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: '2248473465835073', managed: false, mentionable: false, flags: 0 },
      ],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: this.channelId,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US',
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
      channels: [channel(this.channelId, 'general', 0), channel(this.otherChannelId, 'art', 1)],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  member(of: FakeUser) {
    return {
      user: of,
      nick: null,
      avatar: null,
      roles: [],
      joined_at: new Date().toISOString(),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      permissions: '2248473465835073',
      communication_disabled_until: null,
    };
  }

  channel(id: string) {
    return (this.guild().channels as Array<{ id: string }>).find((c) => c.id === id);
  }

  createMessage(channelId: string, author: FakeUser, fields: Partial<FakeMessage>): FakeMessage {
    const message: FakeMessage = {
      id: snowflake(),
      channel_id: channelId,
      guild_id: this.guildId,
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
    return message;
  }

  /** Serves bytes as a Discord CDN attachment would be. */
  addCdnFile(filename: string, data: Buffer, contentType: string, size = data.length): FakeAttachment {
    const id = snowflake();
    const path = `/cdn/attachments/${id}/${encodeURIComponent(filename)}`;
    this.cdn.set(path, { data, contentType });
    const url = `${this.baseUrl}${path}`;
    return { id, filename, size, content_type: contentType, url, proxy_url: url };
  }

  /** A message as the API returns it (without the fake's bookkeeping). */
  wire(message: FakeMessage): Record<string, unknown> {
    const { editCount: _e, deleted: _d, ...rest } = message;
    return rest;
  }
}
