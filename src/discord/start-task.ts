import type { RepliableInteraction } from 'discord.js';
import type { Mode } from '../config';
import { UserError } from '../errors';
import { messagesFor, type Locale, type Text } from '../i18n';
import { findBannedWord } from '../limits/words';
import type { MjAction } from '../mj/actions';
import type { Submitted, SubmitCommon } from '../mj/client';
import { stripSpeedFlags, typedMode } from '../mj/modes';
import type { TrackedTask } from '../store';
import { emptyView } from '../tasks/view';
import type { BotContext } from './context';
import { checkPrompt } from './input';
import { serverLocale } from './locale';
import { inAllowedChannel, memberOf } from './preconditions';
import { applyPrefs } from '../prefs/flags';
import { prefsOf } from '../prefs/store';

/** Discord lets an interaction token edit its messages for 15 minutes. */
export const INTERACTION_TOKEN_MS = 15 * 60_000;

export interface TaskSpec {
  /** The card's title, put in the server's language. */
  title: Text;
  prompt: string;
  /**
   * The prompt makes an image: the member's /settings and /prefer suffix are added to it (and to the prompts of
   * `more`) before it is checked and sent, and the card shows it as sent.
   */
  usesPrefs?: boolean;
  /** The mode the member picked, if any (a speed flag typed in the prompt counts as picked). */
  mode: Mode | undefined;
  parentTaskId?: string;
  /** The Midjourney button that starts it, if a button does. */
  action?: MjAction;
  /** How usage names it: a button's label; default `/command` for commands, else the title. */
  kind?: string;
  /** Tasks the submit starts ("Imagine all": 4), counted against the quota before it is sent. */
  cost?: number;
  /**
   * Sends the request; gets the fields every submit carries (state, notifyHook), the mode to send (the
   * member's choice capped by their roles, see src/limits/quota.ts) and the prompt to send (with preferences).
   */
  submit(common: SubmitCommon, mode: Mode | undefined, prompt: string): Promise<Submitted>;
  /** Title and prompt of the n-th extra task when one submit starts several ("Imagine all"); n from 1. */
  more?(n: number): { title: Text; prompt: string };
}

/** `state` the API stores with the task: who asked where, so an admin can trace a task (≤255 chars). */
export function stateFor(interaction: RepliableInteraction): string {
  return stateOf(interaction.guildId ?? 'dm', interaction.channelId ?? '', interaction.user.id);
}

export const stateOf = (guildId: string, channelId: string, userId: string): string => `discord:${guildId}:${channelId}:${userId}`.slice(0, 255);

/** Where a task was asked for, and the interaction whose token edits its card (for 15 minutes). */
export interface Origin {
  guildId: string;
  channelId: string;
  userId: string;
  interaction: { applicationId: string; token: string; expiresAt: number };
}

const originOf = (interaction: RepliableInteraction & { guildId: string; channelId: string }): Origin => ({
  guildId: interaction.guildId,
  channelId: interaction.channelId,
  userId: interaction.user.id,
  interaction: { applicationId: interaction.applicationId, token: interaction.token, expiresAt: interaction.createdTimestamp + INTERACTION_TOKEN_MS },
});

/** The tracker's record of a task just submitted; `messageId` when its card was posted apart (a followup). */
export function newRecord(
  origin: Origin,
  ctx: BotContext,
  spec: {
    title: Text;
    prompt: string;
    locale: Locale;
    mode: Mode | undefined;
    cappedFrom?: Mode | undefined;
    parentTaskId?: string | undefined;
    action?: MjAction | undefined;
    variation?: 'high' | 'low' | undefined;
  },
  taskId: string,
  submitted: Submitted,
  messageId: string | undefined,
): TrackedTask {
  const now = ctx.clock();
  return {
    taskId,
    title: spec.title(messagesFor(spec.locale)),
    locale: spec.locale,
    ...(spec.variation ? { variation: spec.variation } : {}),
    prompt: stripSpeedFlags(spec.prompt),
    requesterId: origin.userId,
    mode: spec.mode,
    ...(spec.cappedFrom ? { cappedFrom: spec.cappedFrom } : {}),
    ...(spec.action ? { action: spec.action } : {}),
    parentTaskId: spec.parentTaskId,
    message: { guildId: origin.guildId, channelId: origin.channelId, messageId, interaction: { ...origin.interaction } },
    submittedAt: now,
    lastChangeAt: now,
    view: emptyView(submitted.code === 21 ? 'MODAL' : 'SUBMITTED', submitted.queuePosition),
    renderedHash: undefined,
    phase: 'active',
    endReason: undefined,
    files: [],
  };
}

/** Refuses a prompt with one of the server's banned words, naming it (before anything is sent). */
export async function checkBannedWords(ctx: BotContext, guildId: string, prompt: string): Promise<void> {
  const word = findBannedWord(prompt, (await ctx.quotas.settings(guildId)).words);
  if (word) throw new UserError((t) => t.access.bannedWord(word), 'banned word');
}

/**
 * The path every task takes: the interaction is already deferred (publicly). The server's rules are applied
 * (channel, banned words, the member's mode cap), a quota slot is taken, the request is submitted, and the task
 * goes to the tracker, which draws the card in the deferred reply and keeps it up to date. When one submit starts
 * several tasks, each extra one gets a card of its own (a followup message). Returns the submit's answer.
 * Expected failures are thrown for the router to show privately.
 */
export async function startTask(interaction: RepliableInteraction, ctx: BotContext, spec: TaskSpec): Promise<Submitted> {
  if (!interaction.inGuild() || !interaction.channelId) throw new UserError((t) => t.common.useInServer);
  const where = interaction as RepliableInteraction & { guildId: string; channelId: string };
  const member = memberOf(where);
  inAllowedChannel(interaction, (await ctx.quotas.settings(where.guildId)).channels);
  // Speed and variation strength apply to every task of the member; parameters only to prompts that make images.
  const prefs = await prefsOf(ctx.store, where.guildId, member.userId);
  // What is sent, checked as sent: the suffix may make a prompt too long.
  const withPrefs = (prompt: string) => (spec.usesPrefs ? checkPrompt(applyPrefs(prompt, prefs), ctx.provider) : prompt);
  const prompt = withPrefs(spec.prompt);
  const cost = spec.cost ?? 1;
  const extras = Array.from({ length: cost - 1 }, (_, i) => spec.more?.(i + 1)).map((extra) => extra && { ...extra, prompt: withPrefs(extra.prompt) });
  for (const text of [prompt, ...extras.map((extra) => extra?.prompt ?? '')]) await checkBannedWords(ctx, where.guildId, text);
  const asked = spec.mode ?? typedMode(spec.prompt) ?? prefs.mode ?? ctx.config.MJ_DEFAULT_MODE;
  const { mode, cappedFrom } = await ctx.quotas.modeFor(member, asked);
  const locale = await serverLocale(interaction, ctx);
  const ticket = await ctx.quotas.reserve(member, cost);
  let submitted: Submitted;
  try {
    submitted = await spec.submit({ state: stateFor(interaction), ...(ctx.notifyUrl ? { notifyHook: ctx.notifyUrl } : {}) }, mode, prompt);
  } catch (error) {
    ticket.release();
    throw error;
  }
  const english = spec.title(messagesFor('en'));
  const kind = spec.kind ?? (interaction.isChatInputCommand() ? `/${interaction.commandName}` : english);
  const base = { ...spec, prompt, locale, mode, cappedFrom, variation: prefs.variation };
  const record = newRecord(originOf(where), ctx, base, submitted.taskId, submitted, undefined);
  ctx.logger.info({ taskId: record.taskId, title: english, user: interaction.user.id, code: submitted.code }, 'task submitted');
  await ctx.tracker.track(record);
  for (const [i, taskId] of submitted.taskIds.slice(1).entries()) {
    const extra = extras[i] ?? { title: spec.title, prompt: '' };
    try {
      // A placeholder the tracker then edits through the same interaction token, like the first card.
      const t = messagesFor(locale);
      const message = await interaction.followUp({ embeds: [{ title: extra.title(t).slice(0, 256), description: t.common.starting }], allowedMentions: { parse: [] } });
      await ctx.tracker.track(newRecord(originOf(where), ctx, { ...base, ...extra }, taskId, submitted, message.id));
    } catch (error) {
      ctx.logger.warn({ err: error, taskId }, 'could not post the card of an extra task; it runs without one');
    }
  }
  await ticket.commit(submitted.taskIds.map((taskId) => ({ taskId, kind, mode: mode ?? 'default' })));
  return submitted;
}
