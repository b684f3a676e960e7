import type { IncomingMessage, ServerResponse } from 'node:http';
import { Routes } from 'discord.js';
import type { BotContext } from '../discord/context';
import { checkPrompt } from '../discord/input';
import { actionThenModal } from '../discord/modals';
import { checkBannedWords, newRecord, stateOf } from '../discord/start-task';
import { UserError } from '../errors';
import { messagesFor, type Locale, type Messages, type Text } from '../i18n';
import { isMjApiError } from '../mj/errors';
import { applyPrefs } from '../prefs/flags';
import { prefsOf } from '../prefs/store';
import { sniffFileType } from '../net/file-type';
import type { Downloader } from '../net/downloader';
import { readBody, send } from '../http/server';
import { unexpired, type TrackedTask } from '../store';
import { langOf, editorPage, messagePage } from './page';
import { checkMask, imageSize, type MaskProblem } from './png';
import type { EditorSession, EditorSessions, SessionProblem } from './sessions';

/** A mask PNG of a 4096² image is a few hundred KB; the limit leaves room for a noisy one. */
const MAX_BODY = 12 * 1024 * 1024;
const MAX_IMAGE = 32 * 1024 * 1024;
/** Images kept for the sessions open right now (each page loads its image, then sends its mask). */
const CACHED_IMAGES = 16;

const SESSION_TEXT: Record<SessionProblem, (t: Messages) => { title: string; text: string }> = {
  unknown: (t) => ({ title: t.editor.unknownTitle, text: t.editor.unknown }),
  expired: (t) => ({ title: t.editor.expiredTitle, text: t.editor.expired }),
  used: (t) => ({ title: t.editor.usedTitle, text: t.editor.used }),
  busy: (t) => ({ title: t.editor.busyTitle, text: t.editor.busy }),
};

const MASK_TEXT: Record<MaskProblem, Text> = {
  'not-png': (t) => t.editor.notPng,
  'wrong-size': (t) => t.editor.wrongSize,
  'not-black-and-white': (t) => t.editor.notBlackAndWhite,
  empty: (t) => t.editor.emptyMask,
  everything: (t) => t.editor.everything,
};

interface Image {
  bytes: Buffer;
  mime: string;
  width: number;
  height: number;
}

/**
 * The region editor's pages on the bot's HTTP server: `GET /editor/<token>` (the page), `GET /editor/<token>/image`
 * (the task's image, through the bot, so the page needs nothing from the API's CDN) and `POST /editor/<token>`
 * (prompt and mask: checked, then `/mj/submit/action` and `/mj/submit/modal`, and the new task gets its own card).
 */
export class EditorRoutes {
  private readonly images = new Map<string, Image>();

  constructor(
    private readonly ctx: BotContext,
    private readonly sessions: EditorSessions,
    private readonly downloader: Downloader,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const match = /^\/editor\/([\w-]{1,64})(\/image)?$/.exec(path);
    if (!match) return false;
    const [, token, image] = match as unknown as [string, string, string | undefined];
    const lang = langOf(req.headers['accept-language']);
    try {
      if (req.method === 'GET' && image) await this.serveImage(res, token);
      else if (req.method === 'GET') await this.servePage(res, token, lang);
      else if (req.method === 'POST' && !image) await this.submit(req, res, token, lang);
      else send(res, 405, { error: 'method not allowed' });
    } catch (err) {
      this.ctx.logger.error({ err }, 'region editor request failed');
      if (!res.headersSent) send(res, 500, { error: messagesFor(lang).common.genericFailure });
    }
    return true;
  }

  private html(res: ServerResponse, status: number, html: string): void {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Nothing but this page's own inline script and style, and images from this server.
      'content-security-policy': "default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'self'",
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    res.end(html);
  }

  private async servePage(res: ServerResponse, token: string, lang: Locale): Promise<void> {
    const session = await this.sessions.find(token);
    if (typeof session === 'string') {
      const { title, text } = SESSION_TEXT[session](messagesFor(lang));
      return this.html(res, session === 'unknown' ? 404 : 410, messagePage(title, text, lang));
    }
    this.html(res, 200, editorPage({ imagePath: `${token}/image`, prompt: session.prompt, maxPromptLength: this.ctx.provider.maxPromptLength }));
  }

  /** The image of the session's task, downloaded once (refusing private addresses like every result). */
  private async image(token: string, session: EditorSession): Promise<Image | undefined> {
    const cached = this.images.get(token);
    if (cached) return cached;
    const record = unexpired<TrackedTask>(await this.ctx.store.tasks.get(session.taskId), this.ctx.clock());
    const url = record?.files[0]?.sourceUrl || record?.view.imageUrl;
    if (!url) return undefined;
    const bytes = await this.downloader.download(url, MAX_IMAGE).catch(() => undefined);
    const type = bytes ? sniffFileType(bytes) : undefined;
    const size = bytes ? imageSize(bytes) : undefined;
    if (!bytes || type?.kind !== 'image' || !size) return undefined;
    const image = { bytes, mime: type.mime, ...size };
    this.images.set(token, image);
    if (this.images.size > CACHED_IMAGES) this.images.delete(this.images.keys().next().value!);
    return image;
  }

  private async serveImage(res: ServerResponse, token: string): Promise<void> {
    const session = await this.sessions.find(token);
    if (typeof session === 'string') return send(res, 404, { error: 'not found' });
    const image = await this.image(token, session);
    if (!image) return send(res, 502, { error: 'The image could not be loaded.' });
    res.writeHead(200, { 'content-type': image.mime, 'content-length': image.bytes.length, 'cache-control': 'private, max-age=900' });
    res.end(image.bytes);
  }

  /** Answers in the page's language (the browser sends it with the form). */
  private async submit(req: IncomingMessage, res: ServerResponse, token: string, lang: Locale): Promise<void> {
    const t = messagesFor(lang);
    const body = await readBody(req, MAX_BODY);
    if (body === 'too-large') return send(res, 413, { error: t.editor.maskTooLarge });
    let input: { prompt?: unknown; mask?: unknown };
    try {
      input = JSON.parse(body.toString('utf8')) as typeof input;
    } catch {
      return send(res, 400, { error: t.editor.unreadable });
    }
    const claimed = await this.sessions.claim(token);
    if (typeof claimed === 'string') return send(res, claimed === 'unknown' ? 404 : 409, { error: SESSION_TEXT[claimed](t).text });
    const { session } = claimed;
    let sent = false;
    try {
      const typed = checkPrompt(typeof input.prompt === 'string' ? input.prompt : '', this.ctx.provider);
      // A prompt the member sends: their /settings and suffix apply, as in Discord's forms.
      const prompt = checkPrompt(applyPrefs(typed, await prefsOf(this.ctx.store, session.member.guildId, session.member.userId)), this.ctx.provider);
      await checkBannedWords(this.ctx, session.member.guildId, prompt);
      const mask = typeof input.mask === 'string' ? /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(input.mask)?.[1] : undefined;
      const image = await this.image(token, session);
      if (!image) throw new UserError((m) => m.editor.imageFailed);
      const problem = mask ? checkMask(Buffer.from(mask, 'base64'), image.width, image.height) : 'not-png';
      if (problem) throw new UserError(MASK_TEXT[problem]);
      if (session.interaction.expiresAt <= this.ctx.clock()) throw new UserError((m) => m.editor.expired);
      sent = true;
      const channelUrl = await this.start(session, prompt, `data:image/png;base64,${mask}`);
      await claimed.spend();
      this.images.delete(token);
      send(res, 200, { channelUrl });
    } catch (error) {
      // Nothing was sent: the same link may be tried again.
      if (!sent) await claimed.release();
      else await claimed.spend();
      const message = error instanceof UserError ? error.text(t) : isMjApiError(error) ? error.userText(t) : undefined;
      if (!message) throw error;
      send(res, 400, { error: message });
    }
  }

  /** Action, then modal with the mask; the new task's card is posted in the channel with the click's token. */
  private async start(session: EditorSession, prompt: string, mask: string): Promise<string> {
    const { ctx } = this;
    const parent = await ctx.store.tasks.get(session.taskId);
    const { member } = session;
    const { mode, cappedFrom } = await ctx.quotas.modeFor(member, parent?.mode);
    const ticket = await ctx.quotas.reserve(member, 1);
    let submitted;
    try {
      const state = stateOf(member.guildId, member.channelId, member.userId);
      submitted = await actionThenModal(ctx, session, prompt, { state, ...(ctx.notifyUrl ? { notifyHook: ctx.notifyUrl } : {}) }, mode, mask);
    } catch (error) {
      ticket.release();
      throw error;
    }
    const { applicationId, token } = session.interaction;
    const t = messagesFor(session.locale ?? 'en');
    const message = (await ctx.rest.post(Routes.webhook(applicationId, token), {
      body: { embeds: [{ title: t.titles.varyRegion, description: t.common.starting }], allowed_mentions: { parse: [] } },
      auth: false,
    })) as { id: string };
    const origin = { guildId: member.guildId, channelId: member.channelId, userId: member.userId, interaction: session.interaction };
    const spec = {
      title: (m: Messages) => m.titles.varyRegion,
      prompt,
      locale: session.locale ?? 'en',
      mode,
      cappedFrom,
      parentTaskId: session.taskId,
      action: { kind: 'inpaint' } as const,
      variation: session.variation,
    };
    await ctx.tracker.track(newRecord(origin, ctx, spec, submitted.taskId, submitted, message.id));
    await ticket.commit([{ taskId: submitted.taskId, kind: session.label, mode: mode ?? 'default' }]);
    ctx.logger.info({ taskId: submitted.taskId, user: member.userId }, 'region edit submitted');
    return `https://discord.com/channels/${member.guildId}/${member.channelId}`;
  }
}
