import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserError } from '../errors';
import type { BodyGate } from '../http/body';
import { isJson, refuse, refuseBody, send } from '../http/server';
import { messagesFor, type Locale, type Messages, type Text } from '../i18n';
import type { Member } from '../limits/ledger';
import { isMjApiError } from '../mj/errors';
import { actionThenModal } from '../mj/modal-flow';
import { checkPrompt } from '../mj/prompt';
import type { Downloader } from '../net/downloader';
import { sniffFileType } from '../net/file-type';
import { unexpired, type TrackedTask } from '../store';
import type { Starter, StarterOptions } from '../tasks/start';
import { langOf, editorPage, messagePage } from './editor-page';
import { checkMask, imageSize, type MaskProblem } from './mask';
import type { EditorSession, EditorSessions, SessionProblem } from './sessions';

/** Largest image the editor edits: Midjourney's largest upscale is 4096 × 4096. */
const MAX_IMAGE = 32 * 1024 * 1024;
/** Images kept for the sessions open right now (each page loads its image, then sends its mask). */
const CACHED_IMAGES = 16;
/** Room in a submit's body for its prompt and the JSON around the mask. */
const PROMPT_ROOM = 64 * 1024;
/** A card needs this much of the click's token left: the submits, then the card's post through it. */
const TOKEN_LEFT_MS = 30_000;
/** Refused submits per link within REFUSALS_WINDOW_MS before it is refused without reading. */
const MAX_REFUSALS = 5;
const REFUSALS_WINDOW_MS = 60_000;
const TRACKED_LINKS = 1_000;

/**
 * The largest submit body a mask of `width` × `height` needs: a black-and-white mask compresses to about a bit
 * per pixel even when noisy; four bits per pixel, in base64, leaves room for a poor encoder.
 */
const submitBodyCap = (width: number, height: number): number => PROMPT_ROOM + Math.ceil(((width * height) / 2) * (4 / 3));

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

/** What the pages need: the start path's own store, provider, logger and clock, and their own parts. */
export interface EditorDeps extends Pick<StarterOptions, 'store' | 'upstreams' | 'logger' | 'clock'> {
  sessions: EditorSessions;
  starter: Starter;
  /** Results' downloader (private addresses refused but for the API's own origin). */
  downloader: Downloader;
  /** The member as Discord says they are now (roles, admin), or undefined when they left the server. */
  refreshMember(member: Member): Promise<Member | undefined>;
}

/**
 * The region editor's pages on the bot's HTTP server: `GET /editor/<token>` (the page), `GET /editor/<token>/image`
 * (the task's image, through the bot, so the page needs nothing from the API's CDN) and `POST /editor/<token>`
 * (prompt and mask: checked, then started through the one start path, src/tasks/start.ts). A submit is refused
 * before its body is read when its link is unknown, used or expired, when it is not JSON, when the link was
 * refused too often, or when it declares more than a mask of its image needs.
 */
export class EditorRoutes {
  private readonly images = new Map<string, Image>();
  private readonly loading = new Map<string, Promise<Image | undefined>>();
  private readonly refusals = new Map<string, { count: number; since: number }>();

  constructor(private readonly deps: EditorDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, path: string, bodies: BodyGate): Promise<boolean> {
    const match = /^\/editor\/([\w-]{1,64})(\/image)?$/.exec(path);
    if (!match) return false;
    const [, token, image] = match as unknown as [string, string, string | undefined];
    const lang = langOf(req.headers['accept-language']);
    try {
      if (req.method === 'GET' && image) await this.serveImage(res, token);
      else if (req.method === 'GET') await this.servePage(res, token, lang);
      else if (req.method === 'POST' && !image) await this.submit(req, res, token, lang, bodies);
      else refuse(res, 405, { error: 'method not allowed' });
    } catch (err) {
      this.deps.logger.error({ err }, 'region editor request failed');
      if (!res.headersSent) refuse(res, 500, { error: messagesFor(lang).common.genericFailure });
    }
    return true;
  }

  private html(res: ServerResponse, status: number, html: string): void {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Nothing but this page's own inline script and style, and images from this server; never in a frame.
      'content-security-policy': "default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    res.end(html);
  }

  private async servePage(res: ServerResponse, token: string, lang: Locale): Promise<void> {
    const session = await this.deps.sessions.find(token);
    if (typeof session === 'string') {
      const { title, text } = SESSION_TEXT[session](messagesFor(lang));
      return this.html(res, session === 'unknown' ? 404 : 410, messagePage(title, text, lang));
    }
    this.html(res, 200, editorPage({ imagePath: `${token}/image`, prompt: session.prompt, maxPromptLength: this.deps.upstreams.ref(session.taskId).upstream.provider.maxPromptLength }));
  }

  /** The image of the session's task: downloaded once however many requests ask for it at the same time. */
  private image(session: EditorSession): Promise<Image | undefined> {
    const cached = this.images.get(session.taskId);
    if (cached) return Promise.resolve(cached);
    let loading = this.loading.get(session.taskId);
    if (!loading) {
      loading = this.download(session.taskId).finally(() => this.loading.delete(session.taskId));
      this.loading.set(session.taskId, loading);
    }
    return loading;
  }

  /** Downloads a task's image (refusing private addresses like every result) and keeps it for the next requests. */
  private async download(taskId: string): Promise<Image | undefined> {
    const record = unexpired<TrackedTask>(await this.deps.store.tasks.get(taskId), this.deps.clock());
    const url = record?.files[0]?.sourceUrl || record?.view.imageUrl;
    if (!url) return undefined;
    const bytes = await this.deps.downloader.download(url, MAX_IMAGE).catch(() => undefined);
    const type = bytes ? sniffFileType(bytes) : undefined;
    const size = bytes ? imageSize(bytes) : undefined;
    if (!bytes || type?.kind !== 'image' || !size) return undefined;
    const image = { bytes, mime: type.mime, ...size };
    this.images.set(taskId, image);
    if (this.images.size > CACHED_IMAGES) this.images.delete(this.images.keys().next().value!);
    return image;
  }

  private async serveImage(res: ServerResponse, token: string): Promise<void> {
    const session = await this.deps.sessions.find(token);
    if (typeof session === 'string') return send(res, 404, { error: 'not found' });
    const image = await this.image(session);
    if (!image) return send(res, 502, { error: 'The image could not be loaded.' });
    res.writeHead(200, { 'content-type': image.mime, 'content-length': image.bytes.length, 'cache-control': 'private, max-age=900' });
    res.end(image.bytes);
  }

  /** Whether a link was refused too often lately (each refusal is counted by `refused`). */
  private tooManyRefusals(token: string): boolean {
    const entry = this.refusals.get(token);
    if (!entry) return false;
    if (this.deps.clock() - entry.since >= REFUSALS_WINDOW_MS) {
      this.refusals.delete(token);
      return false;
    }
    return entry.count >= MAX_REFUSALS;
  }

  private refused(token: string): void {
    const now = this.deps.clock();
    const entry = this.refusals.get(token);
    if (entry && now - entry.since < REFUSALS_WINDOW_MS) entry.count += 1;
    else this.refusals.set(token, { count: 1, since: now });
    // Bounded: the oldest link's count goes first (links live 15 minutes anyway).
    if (this.refusals.size > TRACKED_LINKS) this.refusals.delete(this.refusals.keys().next().value!);
  }

  /** Answers in the page's language (the browser sends it with the form). */
  private async submit(req: IncomingMessage, res: ServerResponse, token: string, lang: Locale, bodies: BodyGate): Promise<void> {
    const t = messagesFor(lang);
    // Everything that needs no body is decided before a byte of it is read.
    const session = await this.deps.sessions.find(token);
    if (typeof session === 'string') return refuse(res, session === 'unknown' ? 404 : 409, { error: SESSION_TEXT[session](t).text });
    if (!isJson(req)) return refuse(res, 415, { error: t.editor.unreadable });
    if (this.tooManyRefusals(token)) return refuse(res, 429, { error: t.editor.tooManyTries });
    const image = await this.image(session);
    if (!image) return refuse(res, 502, { error: t.editor.imageFailed });
    const body = await bodies.read(req, submitBodyCap(image.width, image.height));
    if (!Buffer.isBuffer(body)) {
      if (body === 'too-large') this.refused(token);
      return refuseBody(res, body, { 'too-large': t.editor.maskTooLarge, busy: t.editor.busyServer });
    }
    let input: { prompt?: unknown; mask?: unknown };
    try {
      input = JSON.parse(body.toString('utf8')) as typeof input;
    } catch {
      this.refused(token);
      return send(res, 400, { error: t.editor.unreadable });
    }
    const claimed = await this.deps.sessions.claim(token);
    if (typeof claimed === 'string') return send(res, claimed === 'unknown' ? 404 : 409, { error: SESSION_TEXT[claimed](t).text });
    try {
      const channelUrl = await this.start(claimed.session, input, image, claimed.markUsed);
      this.images.delete(claimed.session.taskId);
      send(res, 200, { channelUrl });
    } catch (error) {
      const message = error instanceof UserError ? error.text(t) : isMjApiError(error) ? error.userText(t) : undefined;
      if (!message) throw error;
      this.refused(token);
      send(res, 400, { error: message });
    } finally {
      await claimed.release();
    }
  }

  /**
   * Checks what the page sent, then starts the edit through the one start path: the member as Discord says they
   * are now, the action, then the modal with the mask; the new task's card is posted in the channel.
   */
  private async start(session: EditorSession, input: { prompt?: unknown; mask?: unknown }, image: Image, markUsed: () => Promise<void>): Promise<string> {
    const { deps } = this;
    const tokenLeft = () => {
      if (session.interaction.expiresAt - deps.clock() < TOKEN_LEFT_MS) throw new UserError((m) => m.editor.tooLate);
    };
    tokenLeft();
    const typed = checkPrompt(typeof input.prompt === 'string' ? input.prompt : '', deps.upstreams.ref(session.taskId).upstream.provider);
    const mask = typeof input.mask === 'string' ? /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(input.mask)?.[1] : undefined;
    const problem = mask ? checkMask(Buffer.from(mask, 'base64'), image.width, image.height) : 'not-png';
    if (problem) throw new UserError(MASK_TEXT[problem]);
    const member = await deps.refreshMember(session.member);
    if (!member) throw new UserError((m) => m.editor.notMember);
    const parent = await deps.store.tasks.get(session.taskId);
    await deps.starter.start({
      member,
      ruleChannelId: member.channelId,
      discordLocale: session.discordLocale,
      interaction: session.interaction,
      uploadLimit: session.uploadLimit,
      firstCardInReply: false,
      spec: {
        title: (m) => m.titles.varyRegion,
        prompt: typed,
        usesPrefs: true,
        // Translated like every typed prompt; a page offers no buttons, so "show me first" translates at once here.
        typed: true,
        mode: parent?.mode,
        parentTaskId: session.taskId,
        action: { kind: 'inpaint' },
        kind: session.label,
        submit: ({ api, parentId, common, mode, prompt }) =>
          actionThenModal(api, { taskId: parentId ?? session.taskId, customId: session.customId }, prompt, common, mode, `data:image/png;base64,${mask}`),
      },
      // Used before anything is sent: a crash after this cannot make the link work twice.
      ready: async () => {
        tokenLeft();
        await markUsed();
      },
    });
    deps.logger.info({ user: member.userId }, 'region edit submitted');
    return `https://discord.com/channels/${member.guildId}/${member.channelId}`;
  }
}
