// index.ts: the entry of its folder (every folder that has an entry names it so): what the folder offers the layers above.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalGateway } from './gateway';
import { ATTACHMENT_SIZE_LIMIT } from './limits';
import { DISCORD_LIMITS, RateLimiter, type RateLimitOptions } from './rate-limits';
import { LocalRest, type RestHooks } from './rest';
import type { LocalAttachment, LocalInteraction, LocalMessage, LocalOverwrite, LocalRole, LocalUser } from './wire-types';
import { ALL_PERMISSIONS, user, World } from './world';

/** @public */
export type { LocalAttachment, LocalInteraction, LocalMessage, LocalOverwrite, LocalRole, LocalUser, RestCall } from './wire-types';
/** @public */
export type { RestHooks, RestReply } from './rest';
/** @public */
export { ALL_PERMISSIONS, PERMISSION_ADMINISTRATOR, PERMISSION_VIEW_CHANNEL } from './world';

export interface LocalDiscordOptions {
  /** The token the bot must send; by default a fresh random one, so nothing else on this machine can act as the bot. */
  botToken?: string;
  /** "Now" for the 15-minute token lifetime; share it with the bot's clock to jump ahead. */
  clock?: () => number;
  /** Discord's 3 s to acknowledge an interaction (measured in real time). */
  ackTimeoutMs?: number;
  tokenLifetimeMs?: number;
  editCap?: number;
  /** Discord's limits by default; `false` to turn them off. */
  rateLimits?: RateLimitOptions | false;
  /** CDN files kept (default: all). */
  maxFiles?: number;
  /**
   * Bytes a file may have: sent in every interaction as `attachment_size_limit` and enforced on uploads (413 / 40005).
   * Discord's default for a bot is 10 MiB; boosted servers have more.
   */
  attachmentSizeLimit?: number;
  /** Watches and steers REST requests (see RestHooks); none by default. */
  hooks?: RestHooks;
}

/** A role (type 8), user (6) or channel (7) option: the local Discord fills in `resolved` as Discord does. */
interface MentionableOption {
  id: string;
  type: 6 | 7 | 8;
}
export type OptionValue = string | number | boolean | LocalAttachment | MentionableOption;

const isMentionable = (value: OptionValue): value is MentionableOption =>
  typeof value === 'object' && 'type' in value && (value.type === 6 || value.type === 7 || value.type === 8);

/**
 * Discord as the bot sees it, on 127.0.0.1: REST under `${url}/api`, a gateway, a CDN for attachments.
 * The playground (and the tests) dispatch interactions as members would and read back what the bot made of them.
 */
export class LocalDiscord {
  readonly world = new World();
  readonly rest: LocalRest;
  readonly gateway: LocalGateway;
  readonly botToken: string;
  readonly options: Required<Omit<LocalDiscordOptions, 'rateLimits' | 'hooks'>>;
  private server: Server | undefined;
  url = '';

  constructor(options: LocalDiscordOptions = {}) {
    this.botToken = options.botToken ?? `local.${randomBytes(18).toString('base64url')}`;
    this.options = {
      botToken: this.botToken,
      clock: options.clock ?? Date.now,
      ackTimeoutMs: options.ackTimeoutMs ?? 3_000,
      tokenLifetimeMs: options.tokenLifetimeMs ?? 15 * 60_000,
      editCap: options.editCap ?? Number.POSITIVE_INFINITY,
      maxFiles: options.maxFiles ?? Number.POSITIVE_INFINITY,
      attachmentSizeLimit: options.attachmentSizeLimit ?? ATTACHMENT_SIZE_LIMIT,
    };
    this.world.maxFiles = this.options.maxFiles;
    this.rest = new LocalRest(this.world, new RateLimiter(options.rateLimits ?? DISCORD_LIMITS), this.options, options.hooks);
    this.gateway = new LocalGateway({
      botUser: this.world.botUser,
      applicationId: this.world.applicationId,
      newId: () => this.world.ids.next(),
      guilds: () => this.world.guildIds().map((id) => this.world.guild(id)),
      resumeUrl: () => this.url.replace(/^http/, 'ws') + '/gateway',
    });
  }

  get apiUrl(): string {
    return `${this.url}/api`;
  }
  get applicationId(): string {
    return this.world.applicationId;
  }
  get guildId(): string {
    return this.world.guildId;
  }
  get channelId(): string {
    return this.world.channelId;
  }
  get alice(): LocalUser {
    return this.world.alice;
  }
  get bob(): LocalUser {
    return this.world.bob;
  }

  async listen(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      this.rest.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').startsWith('/gateway')) this.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.world.baseUrl = this.url;
    return this;
  }

  async close(): Promise<void> {
    this.gateway.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Adds a role and tells a connected bot (GUILD_ROLE_CREATE), so its cache knows the role before a member
   * shows up with it. Give it to members with `world.memberRoles`: interactions carry members' roles.
   */
  addRole(name: string, permissions = 0n): LocalRole {
    const role = this.world.addRole(name, permissions);
    this.gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: this.guildId, role: this.world.wireRole(role) });
    return role;
  }

  /** Replaces a channel's permission overwrites and tells a connected bot (CHANNEL_UPDATE). */
  setOverwrites(channelId: string, overwrites: LocalOverwrite[]): void {
    this.world.overwrites.set(channelId, overwrites);
    const channel = this.world.channel(channelId);
    if (channel) this.gateway.dispatch('CHANNEL_UPDATE', channel);
  }

  addAttachment(filename: string, data: Buffer, contentType: string, size?: number): LocalAttachment {
    return this.world.addCdnFile(filename, data, contentType, size);
  }

  async download(attachment: LocalAttachment): Promise<Buffer> {
    const path = new URL(attachment.url).pathname;
    const file = this.world.cdn.get(path);
    if (!file) throw new Error(`no such attachment ${attachment.url}`);
    return file.data;
  }

  message(id: string): LocalMessage | undefined {
    return this.world.messages.get(id);
  }

  messagesIn(channelId = this.channelId): LocalMessage[] {
    return [...this.world.messages.values()].filter((m) => m.channel_id === channelId && !m.deleted);
  }

  deleteMessage(id: string): void {
    const message = this.world.messages.get(id);
    if (message) message.deleted = true;
  }

  /** A member runs a slash command. Option types follow the values (attachments become type 11 with `resolved`). */
  command(name: string, options: Record<string, OptionValue | undefined> = {}, by: { user?: LocalUser; channelId?: string } = {}): LocalInteraction {
    const resolved: Record<'attachments' | 'roles' | 'users' | 'members' | 'channels', Record<string, unknown>> = { attachments: {}, roles: {}, users: {}, members: {}, channels: {} };
    const { subcommand, ...rest } = options;
    const list = Object.entries(rest)
      .filter((entry): entry is [string, OptionValue] => entry[1] !== undefined)
      .map(([optionName, value]) => {
        if (isMentionable(value)) {
          if (value.type === 8) resolved.roles[value.id] = this.world.wireRole(this.world.roles.find((r) => r.id === value.id)!);
          if (value.type === 7) resolved.channels[value.id] = { ...this.world.channel(value.id), permissions: String(ALL_PERMISSIONS) };
          if (value.type === 6) {
            const known = this.world.users.get(value.id) ?? user(value.id, `user${value.id.slice(-4)}`);
            resolved.users[value.id] = known;
            const { user: _user, ...member } = this.world.member(known);
            resolved.members[value.id] = member;
          }
          return { name: optionName, type: value.type, value: value.id };
        }
        if (typeof value === 'object') {
          resolved.attachments[value.id] = value;
          return { name: optionName, type: 11, value: value.id };
        }
        const type = typeof value === 'boolean' ? 5 : typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : 3;
        return { name: optionName, type, value };
      });
    const used = Object.fromEntries(Object.entries(resolved).filter(([, entries]) => Object.keys(entries).length > 0));
    const registered = [...this.world.commands.values()].flat().find((c) => c.name === name);
    return this.dispatch(2, by, {
      data: {
        id: registered?.id ?? this.world.ids.next(),
        name,
        type: 1,
        guild_id: this.world.guildOf(by.channelId ?? this.channelId),
        // A subcommand carries the options, as Discord nests them.
        options: typeof subcommand === 'string' ? [{ name: subcommand, type: 1, options: list }] : list,
        ...(Object.keys(used).length ? { resolved: used } : {}),
      },
    });
  }

  /** A member clicks a button on a message. */
  click(messageId: string, customId: string, by: { user?: LocalUser } = {}): LocalInteraction {
    const message = this.world.messages.get(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    const exists = message.components.some((row: any) => (row.components ?? []).some((c: any) => c.custom_id === customId));
    if (!exists) throw new Error(`message ${messageId} has no button ${customId}`);
    return this.dispatch(3, { ...by, channelId: message.channel_id }, {
      data: { custom_id: customId, component_type: 2 },
      message: this.world.wire(message),
    });
  }

  /** A member picks `values` in a string select menu of a message. */
  select(messageId: string, customId: string, values: string[], by: { user?: LocalUser } = {}): LocalInteraction {
    const message = this.world.messages.get(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    const menu = message.components.flatMap((row: any) => row.components ?? []).find((c: any) => c.custom_id === customId && c.type === 3);
    if (!menu) throw new Error(`message ${messageId} has no select menu ${customId}`);
    const known = new Set((menu.options as Array<{ value: string }>).map((o) => o.value));
    for (const value of values) if (!known.has(value)) throw new Error(`select menu ${customId} has no option ${value}`);
    return this.dispatch(3, { ...by, channelId: message.channel_id }, {
      data: { custom_id: customId, component_type: 3, values },
      message: this.world.wire(message),
    });
  }

  /** The server's language in Discord (Community servers choose it; others report en-US). */
  setGuildLocale(locale: string): void {
    this.world.guildLocale = locale;
  }

  /** A member fills in and submits the modal the bot opened in answer to `opened`. */
  submitModal(opened: LocalInteraction, values: Record<string, string>, by: { user?: LocalUser } = {}): LocalInteraction {
    const modal = opened.callback;
    if (modal?.type !== 9) throw new Error('the bot did not open a modal for that interaction');
    const components = (modal.data.components as any[]).map((entry) => {
      if (entry.type === 18) {
        const input = entry.component;
        return { type: 18, id: entry.id ?? 0, component: { type: input.type, id: input.id ?? 0, custom_id: input.custom_id, value: values[input.custom_id] ?? input.value ?? '' } };
      }
      return {
        type: 1,
        components: (entry.components as any[]).map((input) => ({ type: input.type, custom_id: input.custom_id, value: values[input.custom_id] ?? input.value ?? '' })),
      };
    });
    const source = opened.raw.message as Record<string, unknown> | undefined;
    return this.dispatch(5, { user: by.user ?? opened.user, channelId: opened.channelId }, {
      data: { custom_id: modal.data.custom_id, components },
      ...(source ? { message: source } : {}),
    });
  }

  /** Resolves when `check` returns a value other than undefined/false; fails after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits until the bot answered the interaction, and returns the callback body. */
  answered(interaction: LocalInteraction, timeoutMs = 5_000): Promise<any> {
    return this.waitFor(() => interaction.callback, `an answer to interaction ${interaction.id}`, timeoutMs);
  }

  /** The interaction's original response message, once there is one. */
  original(interaction: LocalInteraction): LocalMessage | undefined {
    return interaction.originalId ? this.world.messages.get(interaction.originalId) : undefined;
  }

  followups(interaction: LocalInteraction): LocalMessage[] {
    return interaction.followupIds.map((id) => this.world.messages.get(id)!).filter(Boolean);
  }

  private dispatch(type: number, by: { user?: LocalUser; channelId?: string }, fields: Record<string, unknown>): LocalInteraction {
    const user = by.user ?? this.alice;
    this.world.users.set(user.id, user);
    const channelId = by.channelId ?? this.channelId;
    const guildId = this.world.guildOf(channelId);
    const now = this.options.clock();
    const id = this.world.ids.next(now);
    const token = `itoken.${id}.${Math.random().toString(36).slice(2)}`;
    const raw = {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      guild_id: guildId,
      guild: { id: guildId, locale: this.world.guildLocale, features: [] },
      channel_id: channelId,
      channel: this.world.channel(channelId),
      // What Discord sends: the member's roles and their permissions in this channel, overwrites applied.
      member: this.world.member(user, channelId),
      app_permissions: '2248473465835073',
      locale: user.locale ?? 'en-US',
      guild_locale: this.world.guildLocale,
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      // What the bot may upload in answer: the same limit the REST side enforces.
      attachment_size_limit: this.options.attachmentSizeLimit,
      ...fields,
    };
    const interaction: LocalInteraction = {
      id,
      token,
      type,
      createdAt: now,
      user,
      channelId,
      guildId,
      raw,
      callback: undefined,
      callbackAt: undefined,
      originalId: undefined,
      followupIds: [],
    };
    this.world.interactions.set(id, interaction);
    this.world.byToken.set(token, interaction);
    if (this.gateway.dispatch('INTERACTION_CREATE', raw) === 0) throw new Error('no bot is connected to the local gateway');
    return interaction;
  }
}

export async function startLocalDiscord(options: LocalDiscordOptions = {}): Promise<LocalDiscord> {
  return new LocalDiscord(options).listen();
}
