/** What the local Discord records and serves: plain JSON shaped like Discord's API objects (only the fields tests need). */
export interface LocalUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
  /** The member's Discord language, sent as the interaction's `locale` (default en-US). */
  locale?: string;
}

export interface LocalAttachment {
  id: string;
  filename: string;
  size: number;
  content_type: string;
  url: string;
  proxy_url: string;
  width?: number;
  height?: number;
}

export interface LocalMessage {
  id: string;
  channel_id: string;
  guild_id: string | undefined;
  author: LocalUser;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  attachments: LocalAttachment[];
  flags: number;
  timestamp: string;
  edited_timestamp: string | null;
  type: number;
  tts: boolean;
  mention_everyone: boolean;
  mentions: unknown[];
  mention_roles: unknown[];
  pinned: boolean;
  webhook_id?: string;
  application_id?: string;
  interaction_metadata?: Record<string, unknown>;
  /** The local Discord's bookkeeping, stripped from API answers. */
  editCount: number;
  deleted: boolean;
}

/** One REST request as the local Discord saw it (what `RestHooks` are given). */
export interface RestCall {
  at: number;
  method: string;
  path: string;
  /** Route template, e.g. `PATCH /webhooks/:app/:token/messages/:message`. */
  route: string;
  params: Record<string, string>;
  /** JSON body (from payload_json for multipart). */
  body: any;
  files: { field: string; name: string; contentType: string; data: Buffer }[];
  status: number;
  authorized: boolean;
}

/** An interaction the local Discord dispatched, with what the bot answered. */
export interface LocalInteraction {
  id: string;
  token: string;
  type: number;
  createdAt: number;
  user: LocalUser;
  channelId: string;
  guildId: string;
  raw: Record<string, unknown>;
  /** Callback body the bot sent (type 4/5/6/7/9), if any. */
  callback: any;
  callbackAt: number | undefined;
  /** The message id of the original response (`@original`), once one exists. */
  originalId: string | undefined;
  followupIds: string[];
}

/** A guild role as the API sends it; `permissions` is a decimal bitfield string. */
export interface LocalRole {
  id: string;
  name: string;
  permissions: string;
  position: number;
}

/** A channel permission overwrite as the API sends it: type 0 for a role (the guild id is @everyone), 1 for a member. */
export interface LocalOverwrite {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}
