import { setTimeout as sleep } from 'node:timers/promises';
import type { History } from '../community/history';
import type { Config } from '../config';
import type { Mode } from '../mj/modes';
import { UserError } from '../errors';
import { messagesFor, type Locale, type Text } from '../i18n';
import type { Logger } from '../logger';
import type { Member, QuotaLedger, Ticket } from '../limits/ledger';
import type { OpenedTask } from '../limits/usage-log';
import type { ServerSettings } from '../limits/server-settings';
import { strikeNotice, type Strikes } from '../limits/strikes';
import { findBannedWord } from '../limits/words';
import type { MjAction } from '../mj/actions';
import type { MjClient, Submitted, SubmitCommon } from '../mj/client';
import { isMjApiError } from '../mj/errors';
import { stripSpeedFlags, typedMode } from '../mj/modes';
import { checkPrompt } from '../mj/prompt';
import type { Upstream, Upstreams } from '../mj/upstreams';
import { applyPrefs } from '../prefs/flags';
import { prefsOf } from '../prefs/store';
import { isFinal } from '../render/state';
import { isStoreDown, type GuildSettings, type MemberPrefs, type MessageRef, type PendingChoice, type Store } from '../store';
import { hasCjk, TranslationFailed } from '../translator';
import type { PendingChoices } from './choices';
import type { Publisher } from './publisher';
import type { PromptTranslation } from './translation';
import type { NewTask, Tracker } from './tracker';
import { emptyView } from './view';

/** Discord lets an interaction token edit its messages for 15 minutes. */
export const INTERACTION_TOKEN_MS = 15 * 60_000;

/** An interaction whose token edits (and posts) a task's cards while it lives. */
export type InteractionToken = NonNullable<MessageRef['interaction']>;

/** What a task is, as the entry point that starts it describes it. */
export interface TaskSpec {
  /** The card's title, put in the server's language. */
  title: Text;
  prompt: string;
  /**
   * The prompt makes an image: the member's /settings and /prefer suffix are added to it (and to the prompts of
   * `more`) before it is checked and sent, and the card shows it as sent.
   */
  usesPrefs?: boolean;
  /**
   * The prompt is text the member typed (a command's, a form's, the region editor's): its CJK words are translated
   * to English before it is sent, as the member's /settings say (automatically, shown first, or never).
   */
  typed?: boolean;
  /**
   * How to start the same task again once its member chose (src/discord/translation-choice.ts): the entry point's
   * name and the options it read. Without it no choice can be offered: "show me first" translates at once, and a
   * translation that failed is only explained (the region editor's page).
   */
  replay?: PendingChoice['replay'];
  /** The member chose already what is sent: this text as it is (checked, not translated), or undefined: as typed. */
  chosen?: { sent: string | undefined };
  /** What the API was sent for the parent task, when that differs from `prompt` (a button's card shows it too). */
  sentAs?: string | undefined;
  /** The mode the member picked, if any (a speed flag typed in the prompt counts as picked). */
  mode: Mode | undefined;
  parentTaskId?: string;
  /** The Midjourney button that starts it, if a button does. */
  action?: MjAction;
  /** How usage names it: `/imagine`, or a button's label. */
  kind: string;
  /** Tasks the submit starts ("Imagine all": 4), counted against the quota before it is sent. */
  cost?: number;
  /** Sends the request to the API the start path chose (src/mj/upstreams.ts): see SubmitRequest. */
  submit(request: SubmitRequest): Promise<Submitted>;
  /** Title and prompt of the n-th extra task when one submit starts several ("Imagine all"); n from 1. */
  more?(n: number): { title: Text; prompt: string };
  /** The member's variation strength for the card's Vary buttons; default: from their /settings. */
  variation?: 'high' | 'low' | undefined;
}

/** What a submit gets from the start path. */
export interface SubmitRequest {
  /** The API to send it to: the one that made the parent task, or the one new work goes to now. */
  api: MjClient;
  /** The parent task's id as that API knows it (a button's or a form's task), when there is a parent. */
  parentId: string | undefined;
  /** The fields every submit carries: state, and that API's notifyHook. */
  common: SubmitCommon;
  /** The mode to send: the member's choice capped by their roles. */
  mode: Mode | undefined;
  /** The prompt to send, with the member's preferences. */
  prompt: string;
}

export interface StartRequest {
  /** Who asks and where (their roles and admin flag as Discord gives them now). */
  member: Member;
  /** The channel whose rules apply: a thread's parent, else the channel itself. */
  ruleChannelId: string;
  /** The server's language as Discord reports it (Community servers), when it says one. */
  discordLocale?: Locale | undefined;
  spec: TaskSpec;
  /** The interaction whose token carries the cards. */
  interaction: InteractionToken;
  /** The largest file Discord takes where the card goes, as the interaction said (MessageRef.uploadLimit). */
  uploadLimit?: number | undefined;
  /**
   * Whether the first card is the interaction's own (deferred) reply, as for commands, buttons and forms;
   * otherwise it is posted as a new message (the region editor, whose click answered with a private link).
   */
  firstCardInReply: boolean;
  /** Runs once every rule passed and the slots are held, just before the submit: defer, download images. */
  ready?(): Promise<void>;
}

/** A prompt as its card shows it (the member's words, with their preferences) and as it is sent (in English). */
export interface PreparedPrompt {
  shown: string;
  sent: string;
}

export interface StarterOptions {
  config: Pick<Config, 'MJ_DEFAULT_MODE' | 'DEFAULT_LOCALE'>;
  /** The APIs: where a new task goes, where a follow-up goes, and the longest prompt all of them take. */
  upstreams: Upstreams;
  store: Store;
  settings: ServerSettings;
  quotas: QuotaLedger;
  /** Banned prompts the API refused, per member: locks, and the strike that comes with a refusal. */
  strikes: Strikes;
  /** Prompts in other languages (the translator and its memory), and starts that wait for their member's choice. */
  translation: PromptTranslation;
  choices: PendingChoices;
  tracker: Tracker;
  publisher: Pick<Publisher, 'post'>;
  /** Each member's own tasks (/history): every task the API accepted is listed. */
  history: History;
  logger: Logger;
  clock: () => number;
  /** A task the API accepted, for the metrics: what started it and the API that runs it. */
  started?(kind: string, upstream: string, count: number): void;
}

/** `state` the API stores with the task: who asked where, so an admin can trace a task (≤255 chars). */
export const stateOf = (member: Pick<Member, 'guildId' | 'channelId' | 'userId'>): string =>
  `discord:${member.guildId}:${member.channelId}:${member.userId}`.slice(0, 255);

/**
 * The one way a task starts, for every entry point (slash commands, buttons, forms, the region editor): the
 * server's rules (channel, a member locked by strikes, prompt length with preferences, banned words, the prompt in
 * English and the member's choice about it, the member's mode cap, the card's language), then a quota slot, the
 * submit (a banned refusal is a strike), tracking and the usage row. A slot is committed once the API
 * accepted the submit, whatever happens to the cards after, and released on every other way out: a rule about
 * spending lives here and nowhere else. Expected refusals are UserErrors for the entry point to show privately.
 */
/** A commit the store could not take is tried again this often, this many times (a Redis restart takes seconds). */
const COMMIT_RETRY_MS = 1_000;
const COMMIT_TRIES = 60;

export class Starter {
  constructor(private readonly options: StarterOptions) {}

  /**
   * A prompt a member sends, as its card shows it and as it is sent: with their preferences when `usesPrefs`, no
   * longer than the provider takes, free of the server's banned words, and (`typed`) in English as their /settings
   * say, without a choice to offer ("show me first" translates at once). Also for prompts that start no task of
   * their own (Edit prompt); refused while the member is locked.
   */
  async prompt(member: Pick<Member, 'guildId' | 'userId' | 'admin'>, typed: string, usesPrefs = true): Promise<PreparedPrompt> {
    await this.options.strikes.check(member);
    const prefs = await prefsOf(this.options.store, member.guildId, member.userId);
    return this.prepare(member, { prompt: typed, usesPrefs, typed: true }, prefs, await this.options.settings.get(member.guildId));
  }

  /** The prompt as the card shows it: with the member's preferences when `usesPrefs`, checked (length, words). */
  private async shown(guildId: string, prompt: string, usesPrefs: boolean, prefs: MemberPrefs): Promise<string> {
    const shown = usesPrefs ? checkPrompt(applyPrefs(prompt, prefs), this.options.upstreams) : prompt;
    await this.checkWords(guildId, shown);
    return shown;
  }

  /** Text that goes to the API instead of what was typed (a translation, an edit of one), checked like a prompt. */
  private async checked(guildId: string, text: string): Promise<string> {
    const sent = checkPrompt(text, this.options.upstreams);
    await this.checkWords(guildId, sent);
    return sent;
  }

  /**
   * What a start's prompt shows and sends. A typed prompt with CJK in it, where the server translates and the member
   * did not say never, is translated; a member who asked to see it first, or a translation that failed, stops the
   * start here with a private answer and its buttons (nothing was sent, no quota was taken).
   */
  private async prepare(
    member: Pick<Member, 'guildId' | 'userId'>,
    spec: Pick<TaskSpec, 'prompt' | 'usesPrefs' | 'typed' | 'replay' | 'chosen'>,
    prefs: MemberPrefs,
    settings: GuildSettings,
  ): Promise<PreparedPrompt> {
    const shown = await this.shown(member.guildId, spec.prompt, spec.usesPrefs === true, prefs);
    if (spec.chosen) return { shown, sent: spec.chosen.sent === undefined ? shown : await this.checked(member.guildId, spec.chosen.sent) };
    const { translation } = this.options;
    if (!spec.typed || !hasCjk(shown) || !translation.on(settings) || prefs.translate === 'never') return { shown, sent: shown };
    let english: string;
    try {
      english = await translation.english(shown);
    } catch (error) {
      if (!(error instanceof TranslationFailed)) throw error;
      throw await this.options.choices.offer(member, spec, shown, { failed: error.problem });
    }
    // CJK only where nothing is translated (a parameter's value: `--no 红色`): nothing to show first either.
    if (english === shown) return { shown, sent: shown };
    if (prefs.translate === 'ask' && spec.replay) throw await this.options.choices.offer(member, spec, shown, { english });
    return { shown, sent: await this.checked(member.guildId, english) };
  }

  /**
   * Sends what a member asked for (a start's submit, an Edit prompt's form). A prompt the API refuses as banned is a
   * strike for the member: the refusal says so, and says when the strike locked them.
   */
  async striking<T>(member: Pick<Member, 'guildId' | 'userId' | 'admin'>, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (!isMjApiError(error) || error.kind !== 'banned') throw error;
      const outcome = await this.options.strikes.strike(member.guildId, member.userId).catch((err: unknown) => {
        this.options.logger.error({ err }, 'could not count a strike');
        return undefined;
      });
      const notice = strikeNotice(outcome, member.admin);
      throw new UserError((t) => [error.userText(t), notice(t)].filter(Boolean).join(' '), error.message);
    }
  }

  /** Refuses a text with one of the server's banned words, naming it (before anything is sent). */
  async checkWords(guildId: string, text: string): Promise<void> {
    if (!text) return;
    const word = findBannedWord(text, (await this.options.settings.get(guildId)).words);
    if (word) throw new UserError((t) => t.access.bannedWord(word), 'banned word');
  }

  async start(request: StartRequest): Promise<Submitted> {
    const { quotas, store, config } = this.options;
    const { member, spec } = request;
    const settings = await this.options.settings.get(member.guildId);
    if (settings.channels.length > 0 && !member.admin && !settings.channels.includes(request.ruleChannelId)) {
      const channels = settings.channels.map((id) => `<#${id}>`);
      throw new UserError((t) => t.access.channelsOnly(channels));
    }
    // A locked member is refused before anything else is asked of anyone (the translator included).
    await this.options.strikes.check(member);
    // Speed and variation strength apply to every task of the member; parameters only to prompts that make images.
    const prefs = await prefsOf(store, member.guildId, member.userId);
    const cost = spec.cost ?? 1;
    const prompt = await this.prepare(member, spec, prefs, settings);
    const extras: Array<{ title: Text; prompt: string }> = [];
    for (let n = 1; n < cost; n += 1) {
      const extra = spec.more?.(n) ?? { title: spec.title, prompt: '' };
      extras.push({ title: extra.title, prompt: await this.shown(member.guildId, extra.prompt, spec.usesPrefs === true, prefs) });
    }
    const asked = spec.mode ?? typedMode(spec.prompt) ?? prefs.mode ?? config.MJ_DEFAULT_MODE;
    const { mode, cappedFrom } = await quotas.modeFor(member, asked);
    const locale = settings.language ?? request.discordLocale ?? config.DEFAULT_LOCALE;

    const ticket = await quotas.reserve(member, cost);
    let sent: { upstream: Upstream; submitted: Submitted };
    try {
      await request.ready?.();
      sent = await this.striking(member, () => this.send(spec, member, mode, prompt.sent));
    } catch (error) {
      await ticket.release();
      throw error;
    }
    const { upstream, submitted } = sent;
    const keys = submitted.taskIds.map((id) => this.options.upstreams.key(upstream, id));
    const kind = metricKind(spec);
    this.options.started?.(kind, upstream.name, keys.length);
    const sentPrompt = prompt.sent !== prompt.shown ? prompt.sent : spec.sentAs;
    const base = { ...spec, prompt: prompt.shown, sentPrompt, locale, mode, cappedFrom, variation: spec.variation ?? prefs.variation };
    try {
      const cards = [base, ...extras.map((extra) => ({ ...base, ...extra, sentPrompt: undefined }))];
      for (const [i, taskId] of keys.entries()) {
        await this.track(request, { ...(cards[i] ?? { ...base, prompt: '' }), upstream: upstream.name, kind }, taskId, submitted, i === 0 && request.firstCardInReply);
      }
    } finally {
      // The API accepted it: it counts, whatever happened to its cards, and it is in the member's history.
      await this.commitAccepted(ticket, keys.map((taskId) => ({ taskId, kind: spec.kind, mode: mode ?? 'default', upstream: upstream.name })));
      await this.options.history
        .add(member.guildId, member.userId, keys.map((taskId) => ({ taskId, action: spec.action, kind: spec.kind })))
        .catch((error: unknown) => this.options.logger.warn({ err: error, taskId: keys[0] }, 'could not add a task to its member’s history'));
    }
    this.options.logger.info({ taskId: submitted.taskId, upstream: upstream.name, kind: spec.kind, user: member.userId, code: submitted.code }, 'task submitted');
    return { ...submitted, taskId: keys[0]!, taskIds: keys };
  }

  /**
   * Counts tasks the API accepted. The store may be away right then (Redis restarting): the commit is tried again
   * every COMMIT_RETRY_MS, COMMIT_TRIES times at most, while the card is already tracked. It never throws: a start the
   * API accepted must not be answered "try again" (the member would pay twice, and the card would be replaced).
   */
  private async commitAccepted(ticket: Ticket, tasks: OpenedTask[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ticket.commit(tasks);
        if (attempt > 1) await this.endedMeanwhile(tasks);
        return;
      } catch (error) {
        if (!isStoreDown(error) || attempt >= COMMIT_TRIES) {
          this.options.logger.error({ err: error, taskId: tasks[0]?.taskId }, 'could not count a task the API accepted');
          return;
        }
        await sleep(COMMIT_RETRY_MS);
      }
    }
  }

  /** Tasks counted late may have ended meanwhile (their end found no usage row): their end is told again. */
  private async endedMeanwhile(tasks: OpenedTask[]): Promise<void> {
    for (const { taskId } of tasks) {
      const record = await this.options.store.tasks.get(taskId);
      if (record && isFinal(record.state)) await this.options.quotas.taskEnded(record);
    }
  }

  /** The submit, to the API that made the parent task, or (a new task) to the one new work goes to now. */
  private send(spec: TaskSpec, member: Member, mode: Mode | undefined, prompt: string): Promise<{ upstream: Upstream; submitted: Submitted }> {
    const { upstreams } = this.options;
    const request = (upstream: Upstream, parentId: string | undefined): SubmitRequest => ({
      api: upstream.client,
      parentId,
      common: { state: stateOf(member), ...(upstream.notifyUrl ? { notifyHook: upstream.notifyUrl } : {}) },
      mode,
      prompt,
    });
    if (spec.parentTaskId) {
      return upstreams.followUp(spec.parentTaskId, async ({ upstream, id }) => ({ upstream, submitted: await spec.submit(request(upstream, id)) }));
    }
    return upstreams.submitNew(mode, (upstream) => spec.submit(request(upstream, undefined)));
  }

  /**
   * Hands one accepted task to the tracker with where its card goes. A card that cannot be posted through the
   * interaction's token (it expired on the way) is posted in the channel with the bot token by the first edit.
   */
  private async track(request: StartRequest, card: CardSpec, taskId: string, submitted: Submitted, inReply: boolean): Promise<void> {
    const { logger, publisher, tracker } = this.options;
    const { guildId, channelId } = request.member;
    let message: MessageRef = { guildId, channelId, messageId: undefined, interaction: { ...request.interaction }, ...(request.uploadLimit ? { uploadLimit: request.uploadLimit } : {}) };
    if (!inReply) {
      const t = messagesFor(card.locale);
      const messageId = await publisher.post(request.interaction, { title: card.title(t).slice(0, 256), description: t.common.starting }).catch((error: unknown) => {
        logger.warn({ err: error, taskId }, 'could not post a card through the interaction token: it goes to the channel');
        return undefined;
      });
      message = { ...message, messageId, interaction: messageId ? message.interaction : undefined };
    }
    try {
      await tracker.track(this.record(request.member, card, taskId, submitted, message));
    } catch (error) {
      logger.error({ err: error, taskId }, 'could not track a task the API accepted');
    }
  }

  private record(member: Member, card: CardSpec, taskId: string, submitted: Submitted, message: MessageRef): NewTask {
    const now = this.options.clock();
    return {
      taskId,
      title: card.title(messagesFor(card.locale)),
      locale: card.locale,
      ...(card.variation ? { variation: card.variation } : {}),
      prompt: stripSpeedFlags(card.prompt),
      ...(card.sentPrompt ? { sentPrompt: stripSpeedFlags(card.sentPrompt) } : {}),
      requesterId: member.userId,
      mode: card.mode,
      ...(card.cappedFrom ? { cappedFrom: card.cappedFrom } : {}),
      ...(card.action ? { action: card.action } : {}),
      parentTaskId: card.parentTaskId,
      ...(card.upstream ? { upstream: card.upstream } : {}),
      ...(card.kind ? { kind: card.kind } : {}),
      message,
      submittedAt: now,
      lastChangeAt: now,
      view: emptyView(submitted.code === 21 ? 'MODAL' : 'SUBMITTED', submitted.queuePosition),
      renderedHash: undefined,
      files: [],
    };
  }
}

/** What one card of a start shows. */
interface CardSpec {
  title: Text;
  prompt: string;
  /** What was sent instead of `prompt` (a translation), shown under it. */
  sentPrompt?: string | undefined;
  locale: Locale;
  mode: Mode | undefined;
  cappedFrom?: Mode | undefined;
  parentTaskId?: string | undefined;
  action?: MjAction | undefined;
  variation?: 'high' | 'low' | undefined;
  /** The API that runs it. */
  upstream?: string;
  /** What started it, as metrics count it. */
  kind?: string;
}

/** What started a task, as a metric label: the button's action, else the command without its slash (never an id). */
const metricKind = (spec: TaskSpec): string => spec.action?.kind ?? spec.kind.replace(/^\//, '');
