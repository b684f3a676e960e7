import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../../http/body';
import { send } from '../../http/server';
import { discordError, parseBody, serveCdnFile, type ParsedBody } from './http-util';
import { messageProblem, modalProblem, REQUEST_SIZE_LIMIT, uploadProblem } from './limits';
import type { RateLimiter } from './rate-limits';
import type { LocalInteraction, LocalMessage, RestCall } from './wire-types';
import { MESSAGE_FLAG_EPHEMERAL, MESSAGE_FLAG_LOADING, type World } from './world';

/** Discord's answer to a file or a request over its size limits. */
const tooLarge = () => discordError(40005, 'Request entity too large');
/** Room for the JSON and the multipart framing around a file of the largest size allowed. */
const FRAMING_BYTES = 1024 * 1024;

export interface RestOptions {
  botToken: string;
  /** The local Discord's notion of "now" for token lifetimes; tests advance it instead of waiting 15 minutes. */
  clock: () => number;
  ackTimeoutMs: number;
  tokenLifetimeMs: number;
  /** Edits after which a message answers 30046. */
  editCap: number;
  /** CDN files kept (the newest): a playground that runs for days must not hold every picture. */
  maxFiles: number;
  /** Bytes a file may have (Discord's 10 MiB unless a test plays a boosted server); more is answered 413. */
  attachmentSizeLimit: number;
}

/**
 * An answer to a REST request; the bucket's rate-limit headers are added to it, as Discord sends them on every answer.
 * @public
 */
export interface RestReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Where tooling outside the product watches and steers the REST side (test/support/discord.ts keeps a call log
 * and injects failures there); the playground sets none.
 */
export interface RestHooks {
  /** Every request a route matched, as it arrives; `call.status` is filled in once it is answered. */
  onRequest?(call: RestCall): void;
  /**
   * Around a request Discord's rules let through (authorized, within rate limits, sizes and body limits):
   * answer it with `next()` (the route), or with something else instead of running the route.
   */
  around?(call: RestCall, next: () => Promise<RestReply>): Promise<RestReply>;
}

type Handler = (ctx: RequestContext) => Promise<[number, unknown]> | [number, unknown];

interface RequestContext {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  body: ParsedBody;
  authorized: boolean;
}

interface RouteDef {
  method: string;
  template: string;
  pattern: RegExp;
  keys: string[];
  /** Which params form the rate-limit bucket (Discord's "major parameters"). */
  major: string[];
  /** Interaction callbacks and webhooks are outside the bot's global limit. */
  global: boolean;
  needsBot: boolean;
  handler: Handler;
}

const notFound = (code: number, message: string): [number, unknown] => [404, discordError(code, message)];

export class LocalRest {
  private readonly routes: RouteDef[] = [];

  constructor(
    private readonly world: World,
    private readonly limiter: RateLimiter,
    private readonly options: RestOptions,
    private readonly hooks: RestHooks = {},
  ) {
    this.defineRoutes();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    if (method === 'GET' && serveCdnFile(this.world.cdn, url.pathname, res)) return;
    const path = url.pathname.replace(/^\/api\/v\d+/, '');
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    // A boosted server (a test's larger attachmentSizeLimit) takes larger requests too.
    const raw = await readBody(req, Math.max(REQUEST_SIZE_LIMIT, this.options.attachmentSizeLimit + FRAMING_BYTES));
    if (!Buffer.isBuffer(raw)) {
      send(res, raw === 'too-large' ? 413 : 400, raw === 'too-large' ? tooLarge() : discordError(0, 'request body incomplete'));
      return;
    }
    if (!route) {
      send(res, 404, discordError(0, `404: Not Found (${method} ${path})`));
      return;
    }
    const match = route.pattern.exec(path)!;
    const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(match[i + 1]!)]));
    const authorized = req.headers.authorization === `Bot ${this.options.botToken}`;
    let body: ParsedBody;
    try {
      body = await parseBody(req, raw);
    } catch {
      send(res, 400, discordError(50109, 'The request body contains invalid JSON.'));
      return;
    }
    const call: RestCall = {
      at: Date.now(),
      method,
      path,
      route: `${method} ${route.template}`,
      params,
      body: body.json,
      files: body.files,
      status: 0,
      authorized,
    };
    this.hooks.onRequest?.(call);

    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      send(res, status, payload, headers);
    };
    if (route.needsBot && !authorized) return answer(401, discordError(0, '401: Unauthorized'));

    const bucket = `${call.route}|${route.major.map((k) => params[k]).join('/')}`;
    const verdict = this.limiter.check(bucket, route.global);
    if (!verdict.ok) {
      const retryAfter = Math.max(0.001, verdict.retryAfterMs / 1000);
      return answer(
        429,
        { message: 'You are being rate limited.', retry_after: retryAfter, global: verdict.global, code: 0 },
        { ...verdict.headers, 'retry-after': String(Math.ceil(retryAfter)) },
      );
    }
    // Each file is held to the limit the interaction advertised as attachment_size_limit, as Discord does.
    if (uploadProblem(body.files, this.options.attachmentSizeLimit)) return answer(413, tooLarge());
    const invalid = bodyProblem(call.route, body.json);
    if (invalid) return answer(400, discordError(50035, `Invalid Form Body: ${invalid}`));

    // Only a request the route itself handled changed the world (a hook may answer without it).
    let ran = false;
    const next = async (): Promise<RestReply> => {
      ran = true;
      const [status, payload] = await route.handler({ req, params, query: url.searchParams, body, authorized });
      return { status, body: payload };
    };
    try {
      const reply = this.hooks.around ? await this.hooks.around(call, next) : await next();
      answer(reply.status, reply.body, { ...verdict.headers, ...reply.headers });
    } catch (error) {
      answer(500, discordError(0, `local discord bug: ${(error as Error).message}`));
    }
    if (ran && method !== 'GET') this.world.changed();
  }

  private add(method: string, template: string, options: { major?: string[]; global?: boolean; bot?: boolean }, handler: Handler) {
    const keys: string[] = [];
    const pattern = new RegExp(
      `^${template.replace(/:(\w+)/g, (_, key: string) => {
        keys.push(key);
        return '([^/]+)';
      })}$`,
    );
    this.routes.push({ method, template, pattern, keys, major: options.major ?? [], global: options.global ?? true, needsBot: options.bot ?? true, handler });
  }

  private defineRoutes(): void {
    const world = this.world;
    const gatewayUrl = () => world.baseUrl.replace(/^http/, 'ws') + '/gateway';
    this.add('GET', '/gateway', { bot: false, global: false }, () => [200, { url: gatewayUrl() }]);
    this.add('GET', '/gateway/bot', {}, () => [
      200,
      { url: gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } },
    ]);
    this.add('GET', '/users/@me', {}, () => [200, world.botUser]);
    this.add('DELETE', '/users/@me/guilds/:guild', {}, ({ params }) => {
      if (params.guild !== world.guildId) return notFound(10004, 'Unknown Guild');
      world.left.add(params.guild);
      return [204, undefined];
    });

    for (const scope of ['/applications/:app/commands', '/applications/:app/guilds/:guild/commands']) {
      this.add('PUT', scope, { major: ['app'] }, ({ params, body }) => {
        if (params.app !== world.applicationId) return notFound(10002, 'Unknown Application');
        const registered = (body.json as any[]).map((command) => ({ id: world.ids.next(), application_id: world.applicationId, version: world.ids.next(), ...command }));
        world.commands.set(params.guild ?? 'global', registered);
        return [200, registered];
      });
      this.add('GET', scope, { major: ['app'] }, ({ params }) => [200, world.commands.get(params.guild ?? 'global') ?? []]);
    }

    this.add('POST', '/interactions/:id/:token/callback', { major: ['id'], global: false, bot: false }, (ctx) => this.callback(ctx));

    const webhookMessage = '/webhooks/:app/:token/messages/:message';
    this.add('GET', webhookMessage, { major: ['app', 'token'], global: false, bot: false }, ({ params }) =>
      this.withWebhook(params, (interaction) => {
        const message = this.resolveWebhookMessage(interaction, params.message!);
        return message ? [200, world.wire(message)] : notFound(10008, 'Unknown Message');
      }),
    );
    this.add('PATCH', webhookMessage, { major: ['app', 'token'], global: false, bot: false }, ({ params, body }) =>
      this.withWebhook(params, (interaction) => this.edit(this.resolveWebhookMessage(interaction, params.message!), body)),
    );
    this.add('DELETE', webhookMessage, { major: ['app', 'token'], global: false, bot: false }, ({ params }) =>
      this.withWebhook(params, (interaction) => {
        const message = this.resolveWebhookMessage(interaction, params.message!);
        if (!message || message.deleted) return notFound(10008, 'Unknown Message');
        message.deleted = true;
        return [204, undefined];
      }),
    );
    this.add('POST', '/webhooks/:app/:token', { major: ['app', 'token'], global: false, bot: false }, ({ params, body }) =>
      this.withWebhook(params, (interaction) => {
        const message = this.create(interaction.channelId, body, { webhook_id: world.applicationId, application_id: world.applicationId });
        interaction.followupIds.push(message.id);
        return [200, world.wire(message)];
      }),
    );

    // A direct message to a member (the bot tells an admin privately, outside any interaction).
    this.add('POST', '/users/@me/channels', {}, ({ body }) => {
      const recipient = String((body.json as { recipient_id?: unknown } | undefined)?.recipient_id ?? '');
      if (!/^\d+$/.test(recipient)) return [400, discordError(50035, 'Invalid Form Body: recipient_id')];
      return [200, world.channel(world.dmChannel(recipient))];
    });
    // A member as Discord has them now (the region editor reads roles again at its submit).
    this.add('GET', '/guilds/:guild/members/:user', { major: ['guild'] }, ({ params }) => {
      const known = params.guild === world.guildId || world.extraGuilds.some((g) => g.id === params.guild);
      if (!known) return notFound(10004, 'Unknown Guild');
      const member = world.users.get(params.user!) ?? [world.alice, world.bob].find((u) => u.id === params.user);
      return member && !world.departed.has(member.id) ? [200, world.member(member)] : notFound(10007, 'Unknown Member');
    });
    this.add('GET', '/channels/:channel', { major: ['channel'] }, ({ params }) => {
      const channel = world.channel(params.channel!);
      return channel ? [200, channel] : notFound(10003, 'Unknown Channel');
    });
    this.add('POST', '/channels/:channel/messages', { major: ['channel'] }, ({ params, body }) => {
      if (!world.channel(params.channel!)) return notFound(10003, 'Unknown Channel');
      return [200, world.wire(this.create(params.channel!, body, {}))];
    });
    this.add('GET', '/channels/:channel/messages/:message', { major: ['channel'] }, ({ params }) => {
      const message = world.messages.get(params.message!);
      return message && !message.deleted && message.channel_id === params.channel ? [200, world.wire(message)] : notFound(10008, 'Unknown Message');
    });
    this.add('PATCH', '/channels/:channel/messages/:message', { major: ['channel'] }, ({ params, body }) => {
      const message = world.messages.get(params.message!);
      if (message && message.channel_id !== params.channel) return notFound(10008, 'Unknown Message');
      if (message && message.author.id !== world.botUser.id) return [403, discordError(50005, 'Cannot edit a message authored by another user')];
      return this.edit(message, body);
    });
    this.add('DELETE', '/channels/:channel/messages/:message', { major: ['channel'] }, ({ params }) => {
      const message = world.messages.get(params.message!);
      if (!message || message.deleted) return notFound(10008, 'Unknown Message');
      message.deleted = true;
      return [204, undefined];
    });
  }

  private callback({ params, query, body }: RequestContext): [number, unknown] {
    const interaction = this.world.interactions.get(params.id!);
    if (!interaction || interaction.token !== params.token) return notFound(10062, 'Unknown interaction');
    if (interaction.callback) return [400, discordError(40060, 'Interaction has already been acknowledged.')];
    if (Date.now() - interaction.createdAt > this.options.ackTimeoutMs) return notFound(10062, 'Unknown interaction');
    const json = body.json ?? {};
    interaction.callback = json;
    interaction.callbackAt = Date.now();
    const data = json.data ?? {};
    let message: LocalMessage | undefined;
    const meta = { webhook_id: this.world.applicationId, application_id: this.world.applicationId, interaction_metadata: { id: interaction.id, type: interaction.type, user: interaction.user, authorizing_integration_owners: { '0': interaction.guildId } } };
    if (json.type === 4) {
      message = this.create(interaction.channelId, body, meta);
    } else if (json.type === 5) {
      const flags = ((data.flags ?? 0) & MESSAGE_FLAG_EPHEMERAL) | MESSAGE_FLAG_LOADING;
      message = this.world.createMessage(interaction.channelId, this.world.botUser, { ...meta, flags });
    } else if (json.type === 6 || json.type === 7) {
      const sourceId = (interaction.raw.message as { id?: string } | undefined)?.id;
      message = sourceId ? this.world.messages.get(sourceId) : undefined;
      if (json.type === 7 && message) this.apply(message, body);
    } else if (json.type !== 9) {
      return [400, discordError(50035, `Invalid interaction callback type ${json.type}`)];
    }
    if (message) interaction.originalId = message.id;
    if (query.get('with_response') !== 'true') return [204, undefined];
    return [
      200,
      {
        interaction: { id: interaction.id, type: interaction.type, activity_instance_id: null, response_message_id: message?.id ?? null, response_message_loading: json.type === 5, response_message_ephemeral: Boolean((message?.flags ?? 0) & MESSAGE_FLAG_EPHEMERAL) },
        resource: { type: json.type, ...(message ? { message: this.world.wire(message) } : {}) },
      },
    ];
  }

  private withWebhook(params: Record<string, string>, then: (interaction: LocalInteraction) => [number, unknown]): [number, unknown] {
    const interaction = this.world.byToken.get(params.token!);
    if (!interaction || params.app !== this.world.applicationId) return notFound(10015, 'Unknown Webhook');
    if (this.options.clock() - interaction.createdAt > this.options.tokenLifetimeMs) {
      return [401, discordError(50027, 'Invalid Webhook Token')];
    }
    return then(interaction);
  }

  private resolveWebhookMessage(interaction: LocalInteraction, id: string): LocalMessage | undefined {
    const messageId = id === '@original' ? interaction.originalId : id;
    const message = messageId ? this.world.messages.get(messageId) : undefined;
    if (message && message.id !== interaction.originalId && !interaction.followupIds.includes(message.id)) return undefined;
    return message;
  }

  private create(channelId: string, body: ParsedBody, fields: Partial<LocalMessage>): LocalMessage {
    const message = this.world.createMessage(channelId, this.world.botUser, fields);
    this.apply(message, body);
    message.editCount = 0;
    message.edited_timestamp = null;
    return message;
  }

  private edit(message: LocalMessage | undefined, body: ParsedBody): [number, unknown] {
    if (!message || message.deleted) return notFound(10008, 'Unknown Message');
    if (message.editCount >= this.options.editCap) {
      return [400, discordError(30046, 'Maximum number of edits to messages older than 1 hour reached. Try again later.')];
    }
    this.apply(message, body);
    return [200, this.world.wire(message)];
  }

  /** Applies a create/edit body: content, embeds, components, flags and the attachments list (kept ids + new files[n]). */
  private apply(message: LocalMessage, body: ParsedBody): void {
    const json = body.json?.data && body.json?.type ? body.json.data : (body.json ?? {});
    if (json.content !== undefined) message.content = json.content ?? '';
    if (json.embeds !== undefined) message.embeds = json.embeds ?? [];
    if (json.components !== undefined) message.components = json.components ?? [];
    if (json.flags !== undefined) message.flags = (message.flags & MESSAGE_FLAG_EPHEMERAL) | (json.flags & ~MESSAGE_FLAG_LOADING);
    else message.flags &= ~MESSAGE_FLAG_LOADING;
    const uploaded = body.files.map((file) => {
      const index = /\[(\d+)\]/.exec(file.field)?.[1] ?? file.field;
      return { index, attachment: this.world.addCdnFile(file.name, file.data, file.contentType) };
    });
    if (Array.isArray(json.attachments)) {
      message.attachments = json.attachments.flatMap((entry: { id: string | number; filename?: string }) => {
        const fresh = uploaded.find((u) => u.index === String(entry.id));
        if (fresh) return [{ ...fresh.attachment, ...(entry.filename ? { filename: entry.filename } : {}) }];
        const kept = message.attachments.find((a) => a.id === String(entry.id));
        return kept ? [kept] : [];
      });
    } else {
      message.attachments = [...message.attachments, ...uploaded.map((u) => u.attachment)];
    }
    message.editCount += 1;
    message.edited_timestamp = new Date().toISOString();
  }
}

/** What Discord would refuse in a message or form body (src/playground/discord/limits.ts), by route. */
function bodyProblem(route: string, json: any): string | undefined {
  if (route.startsWith('POST /interactions/')) {
    if (json?.type === 9) return modalProblem(json.data);
    return json?.type === 4 || json?.type === 7 ? messageProblem(json.data) : undefined;
  }
  return /^(POST|PATCH) \/(webhooks|channels)\//.test(route) ? messageProblem(json) : undefined;
}
