import type { IncomingMessage, ServerResponse } from 'node:http';
import { Routes } from 'discord.js';
import type { BotContext } from '../discord/context';
import { checkPrompt } from '../discord/input';
import { actionThenModal } from '../discord/modals';
import { checkBannedWords, newRecord, stateOf } from '../discord/start-task';
import { UserError } from '../errors';
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

const SESSION_TEXT: Record<SessionProblem, { title: { en: string; zh: string }; text: { en: string; zh: string } }> = {
  unknown: { title: { en: 'Link not valid', zh: '链接无效' }, text: { en: 'This editor link does not exist. Click Vary (Region) again in Discord.', zh: '此编辑链接不存在。请在 Discord 中再次点击局部重绘。' } },
  expired: { title: { en: 'Link expired', zh: '链接已过期' }, text: { en: 'Editor links work for 15 minutes. Click Vary (Region) again in Discord.', zh: '编辑链接的有效期为 15 分钟。请在 Discord 中再次点击局部重绘。' } },
  used: { title: { en: 'Already sent', zh: '已发送' }, text: { en: 'This link was used already: its card is in Discord. Click Vary (Region) again for another one.', zh: '此链接已使用，结果卡片在 Discord 中。如需再次重绘，请重新点击局部重绘。' } },
  busy: { title: { en: 'Being sent', zh: '正在发送' }, text: { en: 'This link is being sent from another tab.', zh: '此链接正在另一个标签页中发送。' } },
};

const MASK_TEXT: Record<MaskProblem, string> = {
  'not-png': 'The mask is not a PNG. Reload the page and try again.',
  'wrong-size': 'The mask is not the size of the image. Reload the page and try again.',
  'not-black-and-white': 'The mask must be only black and white. Reload the page and try again.',
  empty: 'Paint the area to redraw first.',
  everything: 'The whole image is painted: leave some of it as it is, or use Vary (Strong) instead.',
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
      else if (req.method === 'POST' && !image) await this.submit(req, res, token);
      else send(res, 405, { error: 'method not allowed' });
    } catch (err) {
      this.ctx.logger.error({ err }, 'region editor request failed');
      if (!res.headersSent) send(res, 500, { error: 'Something went wrong on our side. Please try again in a moment.' });
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

  private async servePage(res: ServerResponse, token: string, lang: 'en' | 'zh'): Promise<void> {
    const session = await this.sessions.find(token);
    if (typeof session === 'string') {
      const { title, text } = SESSION_TEXT[session];
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

  private async submit(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const body = await readBody(req, MAX_BODY);
    if (body === 'too-large') return send(res, 413, { error: 'The mask is too large.' });
    let input: { prompt?: unknown; mask?: unknown };
    try {
      input = JSON.parse(body.toString('utf8')) as typeof input;
    } catch {
      return send(res, 400, { error: 'The form could not be read. Reload the page and try again.' });
    }
    const claimed = await this.sessions.claim(token);
    if (typeof claimed === 'string') return send(res, claimed === 'unknown' ? 404 : 409, { error: SESSION_TEXT[claimed].text.en });
    const { session } = claimed;
    let sent = false;
    try {
      const prompt = checkPrompt(typeof input.prompt === 'string' ? input.prompt : '', this.ctx.provider);
      await checkBannedWords(this.ctx, session.member.guildId, prompt);
      const mask = typeof input.mask === 'string' ? /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(input.mask)?.[1] : undefined;
      const image = await this.image(token, session);
      if (!image) throw new UserError('The image could not be loaded. Try Vary (Region) again later.');
      const problem = mask ? checkMask(Buffer.from(mask, 'base64'), image.width, image.height) : 'not-png';
      if (problem) throw new UserError(MASK_TEXT[problem]);
      if (session.interaction.expiresAt <= this.ctx.clock()) throw new UserError(SESSION_TEXT.expired.text.en);
      sent = true;
      const channelUrl = await this.start(session, prompt, `data:image/png;base64,${mask}`);
      await claimed.spend();
      this.images.delete(token);
      send(res, 200, { channelUrl });
    } catch (error) {
      // Nothing was sent: the same link may be tried again.
      if (!sent) await claimed.release();
      else await claimed.spend();
      const message = error instanceof UserError ? error.userMessage : error && typeof (error as { userMessage?: unknown }).userMessage === 'string' ? (error as { userMessage: string }).userMessage : undefined;
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
    const message = (await ctx.rest.post(Routes.webhook(applicationId, token), {
      body: { embeds: [{ title: 'Vary (Region)', description: '⏳ Starting…' }], allowed_mentions: { parse: [] } },
      auth: false,
    })) as { id: string };
    const origin = { guildId: member.guildId, channelId: member.channelId, userId: member.userId, interaction: session.interaction };
    const spec = { title: 'Vary (Region)', prompt, mode, cappedFrom, parentTaskId: session.taskId, action: { kind: 'inpaint' } as const };
    await ctx.tracker.track(newRecord(origin, ctx, spec, submitted.taskId, submitted, message.id));
    await ticket.commit([{ taskId: submitted.taskId, kind: session.label, mode: mode ?? 'default' }]);
    ctx.logger.info({ taskId: submitted.taskId, user: member.userId }, 'region edit submitted');
    return `https://discord.com/channels/${member.guildId}/${member.channelId}`;
  }
}
