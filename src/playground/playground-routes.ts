import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyGate } from '../http/body';
import { isJson, refuse, refuseBody, send } from '../http/server';
import type { Logger } from '../logger';
import { sniffFileType } from '../net/file-type';
import type { LocalAttachment, LocalDiscord, LocalInteraction, LocalMessage, LocalUser } from './discord';
import { serveCdnFile } from './discord/http-util';
import { user } from './discord/world';
import { accessProblem, COOKIE, crossSite } from './access';
import { playgroundPage } from './playground-page';
import { parseCommand, type Directory, type RegisteredCommand } from './parse';

/** Discord's own upload limit for a member without Nitro; the playground takes no more. */
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const MAX_ACTION_BYTES = 64 * 1024;
/** Files picked in the page and not used yet: the newest are kept. */
const MAX_PENDING_UPLOADS = 20;
/** How long an action waits for the bot's first answer (Discord gives it 3 s). */
const ANSWER_WAIT_MS = 3_500;
const PREFIX = '/playground/';

/** A message as the page draws it: what Discord's client would show, with files served by the bot itself. */
export interface PageMessage {
  id: string;
  /** The channel it is in: the page shows one channel at a time. */
  channelId: string;
  author: { name: string; bot: boolean };
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: Array<{ filename: string; url: string; contentType: string }>;
  /** The member an ephemeral message is shown to; undefined for everyone's messages. */
  onlyFor: string | undefined;
  /** The bot deferred and has not answered yet ("is thinking…"). */
  loading: boolean;
  deleted: boolean;
  edited: boolean;
}

const EPHEMERAL = 64;
const LOADING = 128;

/**
 * The playground's HTTP side, on the bot's own server: the page, a live feed of the channel (server-sent events),
 * and the actions a member takes (command, click, select, form, file). Every action is dispatched to the local
 * Discord as the real client would, so the bot answers it through discord.js exactly as in a server.
 */
export class PlaygroundRoutes {
  private readonly users: Array<LocalUser & { admin: boolean }>;
  private readonly uploads = new Map<string, LocalAttachment>();
  private readonly feeds = new Set<ServerResponse>();
  private readonly sent = new Map<string, string>();
  private sentLists: unknown[][] = [];
  private pending: NodeJS.Timeout | undefined;
  private readonly watcher = () => this.schedule();

  constructor(
    private readonly discord: LocalDiscord,
    private readonly logger: Logger,
    /** The APIs' origins: the page shows their previews and videos. */
    private readonly apiOrigins: readonly string[],
    /** PLAYGROUND_TOKEN: every request needs it; without one, only loopback host names are answered (access.ts). */
    private readonly token: string | undefined,
    /** The simulated APIs by name (SIMULATOR_UPSTREAMS): the page can stop and start each, to watch failover. */
    private readonly apis: ReadonlyMap<string, { paused: boolean; pause(): Promise<void>; resume(): Promise<void> }> = new Map(),
  ) {
    const { alice, bob } = discord.world;
    this.users = [
      { ...alice, admin: true },
      { ...bob, admin: false },
      { ...user(discord.world.ids.next(), 'carol'), admin: false },
    ];
    discord.world.watchers.add(this.watcher);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, bodies: BodyGate): Promise<boolean> {
    if (path !== '/' && !path.startsWith(PREFIX)) return false;
    const problem = accessProblem(req, this.token);
    if (problem) {
      refuse(res, problem.status, { error: problem.error });
      return true;
    }
    if (req.method === 'GET' && path === '/') {
      // The token came in the address: it moves to a cookie only this site sends, and leaves the address bar.
      if (this.token && new URL(req.url ?? '/', 'http://playground').searchParams.has('token')) {
        res.writeHead(303, { location: '/', 'set-cookie': `${COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' }).end();
        return true;
      }
      const html = playgroundPage();
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': `default-src 'none'; img-src 'self' data: blob: ${this.apiOrigins.join(' ')}; media-src 'self' ${this.apiOrigins.join(' ')}; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      });
      res.end(html);
      return true;
    }
    if (!path.startsWith(PREFIX)) return false;
    const route = `${req.method} ${path.slice(PREFIX.length)}`;
    if (req.method === 'GET' && path.startsWith(`${PREFIX}cdn/`)) {
      return serveCdnFile(this.discord.world.cdn, path.slice(PREFIX.length - 1), res) || answer(res, 404, { error: 'not found' });
    }
    // Only the page may act: a custom header makes a browser ask first (CORS preflight), which this server never
    // grants, so another site open in the same browser cannot drive the bot (and spend a real API's credits).
    if (req.method === 'POST' && (req.headers['x-playground'] !== '1' || crossSite(req))) {
      refuse(res, 403, { error: 'actions come from the playground page' });
      return true;
    }
    try {
      if (route === 'GET events') return this.feed(req, res);
      if (route === 'POST upload') return await this.upload(req, res, bodies);
      if (req.method !== 'POST') return false;
      if (!isJson(req)) {
        refuse(res, 415, { error: 'actions are JSON' });
        return true;
      }
      const raw = await bodies.read(req, MAX_ACTION_BYTES);
      if (!Buffer.isBuffer(raw)) {
        refuseBody(res, raw);
        return true;
      }
      const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      if (route === 'POST api') return await this.api(res, body);
      const member = this.users.find((u) => u.id === body.user);
      if (!member) return answer(res, 400, { error: 'pick a member' });
      // The member's Discord language is the browser's: the bot answers them privately in it.
      const locale = typeof body.locale === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(body.locale) ? body.locale : undefined;
      const by: LocalUser = { ...member, ...(locale ? { locale } : {}) };
      if (route === 'POST command') return await this.command(res, by, body);
      if (route === 'POST click') return await this.act(res, () => this.discord.click(String(body.messageId), String(body.customId), { user: by }));
      if (route === 'POST select') {
        const values = Array.isArray(body.values) ? body.values.map(String) : [];
        return await this.act(res, () => this.discord.select(String(body.messageId), String(body.customId), values, { user: by }));
      }
      if (route === 'POST modal') {
        const opened = this.discord.world.interactions.get(String(body.interactionId));
        if (!opened) return answer(res, 404, { error: 'that form is gone' });
        const values = Object.fromEntries(Object.entries((body.values ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
        return await this.act(res, () => this.discord.submitModal(opened, values, { user: by }));
      }
      return false;
    } catch (error) {
      // A page's mistake (bad JSON, a button that vanished) is the page's to show; the bot is not involved.
      return answer(res, 400, { error: (error as Error).message.slice(0, 300) });
    }
  }

  /** Stops the live feeds (the app is stopping). */
  close(): void {
    clearTimeout(this.pending);
    this.discord.world.watchers.delete(this.watcher);
    for (const feed of this.feeds) feed.end();
    this.feeds.clear();
  }

  private get commands(): RegisteredCommand[] {
    return [...this.discord.world.commands.values()].flat() as RegisteredCommand[];
  }

  private get directory(): Directory {
    const world = this.discord.world;
    const byName = <T extends { id: string; name?: string; username?: string }>(list: T[], name: string) =>
      list.find((item) => item.id === name || (item.name ?? item.username)?.toLowerCase() === name.toLowerCase())?.id;
    return {
      user: (name) => byName(this.users, name),
      channel: (name) => byName(world.guild(world.guildId).channels as Array<{ id: string; name: string }>, name),
      role: (name) => byName(world.roles, name.replace(/^@/, '')) ?? (name.toLowerCase() === 'everyone' ? world.guildId : undefined),
    };
  }

  private feed(req: IncomingMessage, res: ServerResponse): true {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const world = this.discord.world;
    this.sentLists = [...world.commands.values()];
    const snapshot = {
      users: this.users.map((u) => ({ id: u.id, name: u.username, admin: u.admin })),
      channels: this.channels(),
      commands: this.commands,
      messages: this.messages().map((m) => this.pageMessage(m)),
      apis: this.apiStates(),
    };
    res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
    this.feeds.add(res);
    req.on('close', () => this.feeds.delete(res));
    return true;
  }

  private apiStates(): Array<{ name: string; up: boolean }> {
    return [...this.apis].map(([name, api]) => ({ name, up: !api.paused }));
  }

  /** Stops or starts a simulated API (`{name, up}`): its connections are refused while stopped, as a dead API's. */
  private async api(res: ServerResponse, body: Record<string, unknown>): Promise<true> {
    const api = this.apis.get(String(body.name));
    if (!api) return answer(res, 404, { error: 'no such API' });
    if (body.up === false) await api.pause();
    else await api.resume();
    this.logger.info({ api: body.name, up: !api.paused }, 'playground: an API was stopped or started from the page');
    const event = `event: apis\ndata: ${JSON.stringify(this.apiStates())}\n\n`;
    for (const feed of this.feeds) feed.write(event);
    return answer(res, 200, { apis: this.apiStates() });
  }

  /** Changes come in bursts (a card's edit, its files): one update per burst. */
  private schedule(): void {
    if (this.pending || this.feeds.size === 0) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const changed = this.messages().filter((m) => this.sent.get(m.id) !== stamp(m));
      for (const m of changed) this.sent.set(m.id, stamp(m));
      // Registrations change only with a bulk PUT (each replaces its scope's list): sent again only then.
      const lists = [...this.discord.world.commands.values()];
      const commands = lists.length === this.sentLists.length && lists.every((list, i) => list === this.sentLists[i]) ? undefined : this.commands;
      this.sentLists = lists;
      if (changed.length === 0 && !commands) return;
      const event = `event: update\ndata: ${JSON.stringify({ ...(commands ? { commands } : {}), messages: changed.map((m) => this.pageMessage(m)) })}\n\n`;
      for (const feed of this.feeds) feed.write(event);
    }, 40);
  }

  /** The server's channels, as the page's tabs (general first): the member reads and types in one at a time. */
  private channels(): Array<{ id: string; name: string }> {
    const world = this.discord.world;
    return (world.guild(world.guildId).channels as Array<{ id: string; name: string }>).map(({ id, name }) => ({ id, name }));
  }

  /** What the page shows: the messages of the server's channels (not the bot's direct messages). */
  private messages(): LocalMessage[] {
    const shown = new Set(this.channels().map((channel) => channel.id));
    return [...this.discord.world.messages.values()].filter((m) => shown.has(m.channel_id));
  }

  private pageMessage(m: LocalMessage): PageMessage {
    const local = (url: string) => url.replace(this.discord.world.baseUrl, '/playground');
    const meta = m.interaction_metadata as { user?: { id?: string } } | undefined;
    return {
      id: m.id,
      channelId: m.channel_id,
      author: { name: m.author.global_name ?? m.author.username, bot: m.author.bot === true },
      content: m.content,
      embeds: m.embeds,
      components: m.components,
      attachments: m.attachments.map((a) => ({ filename: a.filename, url: local(a.url), contentType: a.content_type ?? '' })),
      onlyFor: m.flags & EPHEMERAL ? meta?.user?.id : undefined,
      loading: (m.flags & LOADING) !== 0,
      deleted: m.deleted,
      edited: m.edited_timestamp !== null,
    };
  }

  private async upload(req: IncomingMessage, res: ServerResponse, bodies: BodyGate): Promise<true> {
    const name = (new URL(req.url ?? '/', 'http://playground').searchParams.get('name') ?? 'file').replace(/[^\w.-]+/g, '_').slice(0, 100) || 'file';
    const data = await bodies.read(req, MAX_UPLOAD_BYTES);
    if (!Buffer.isBuffer(data)) {
      refuseBody(res, data, { 'too-large': `files up to ${MAX_UPLOAD_BYTES / 1024 / 1024} MB, as on Discord` });
      return true;
    }
    // Discord labels an upload by its name; the bot checks the bytes itself (src/discord/attachments.ts).
    const contentType = sniffFileType(data)?.mime ?? 'application/octet-stream';
    const attachment = this.discord.world.addCdnFile(name, data, contentType);
    this.uploads.set(attachment.id, attachment);
    if (this.uploads.size > MAX_PENDING_UPLOADS) this.uploads.delete(this.uploads.keys().next().value!);
    return answer(res, 200, { id: attachment.id, filename: name });
  }

  private async command(res: ServerResponse, by: LocalUser, body: Record<string, unknown>): Promise<true> {
    const files = Object.fromEntries(Object.entries((body.files ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const parsed = parseCommand(String(body.text ?? ''), this.commands, this.directory, files);
    if (!parsed.ok) return answer(res, 400, { error: parsed.error });
    const options = Object.fromEntries(
      Object.entries(parsed.options).map(([name, value]) => {
        if (typeof value === 'object' && 'attachment' in value) {
          const file = this.uploads.get(value.attachment);
          if (!file) throw new Error(`the file for ${name} is gone: pick it again`);
          return [name, file];
        }
        return [name, value];
      }),
    );
    // Typed in the channel the page shows; a channel the server does not have is the default one.
    const channelId = this.channels().find((channel) => channel.id === body.channelId)?.id;
    const where = { user: by, ...(channelId ? { channelId } : {}) };
    return this.act(res, () => this.discord.command(parsed.name, { ...options, ...(parsed.subcommand ? { subcommand: parsed.subcommand } : {}) }, where));
  }

  /** Dispatches an interaction and answers with the bot's first answer: the page opens a form (type 9) itself. */
  private async act(res: ServerResponse, dispatch: () => LocalInteraction): Promise<true> {
    const interaction = dispatch();
    const callback = await this.discord.answered(interaction, ANSWER_WAIT_MS).catch(() => undefined);
    if (!callback) this.logger.warn({ interaction: interaction.id }, 'playground: the bot did not answer within 3 s (Discord would show "This interaction failed")');
    return answer(res, 200, { interactionId: interaction.id, callback: callback ? { type: callback.type, data: callback.type === 9 ? callback.data : undefined } : undefined });
  }
}

const stamp = (m: LocalMessage) => `${m.editCount}:${m.deleted}:${m.flags}`;

function answer(res: ServerResponse, status: number, body: unknown): true {
  send(res, status, body);
  return true;
}
