import type { RepliableInteraction } from 'discord.js';
import type { Mode } from '../config';
import { UserError } from '../errors';
import type { Submitted, SubmitCommon } from '../mj/client';
import type { TrackedTask } from '../store';
import { emptyView } from '../tasks/view';
import type { BotContext } from './context';

/** Discord lets an interaction token edit its messages for 15 minutes. */
export const INTERACTION_TOKEN_MS = 15 * 60_000;

export interface TaskSpec {
  title: string;
  prompt: string;
  mode: Mode | undefined;
  parentTaskId?: string;
  /** Sends the request; gets the fields every submit carries (state, notifyHook). */
  submit(common: SubmitCommon): Promise<Submitted>;
}

/** `state` the API stores with the task: who asked where, so an admin can trace a task (≤255 chars). */
export function stateFor(interaction: RepliableInteraction): string {
  return `discord:${interaction.guildId ?? 'dm'}:${interaction.channelId ?? ''}:${interaction.user.id}`.slice(0, 255);
}

/**
 * The path every task takes: the interaction is already deferred (publicly); submit, then hand the
 * task to the tracker, which draws the card in the deferred reply and keeps it up to date.
 * Returns the new task id. Expected failures are thrown for the router to show privately.
 */
export async function startTask(interaction: RepliableInteraction, ctx: BotContext, spec: TaskSpec): Promise<string> {
  if (!interaction.guildId || !interaction.channelId) throw new UserError('Please use this command in a server channel.');
  const submitted = await spec.submit({
    state: stateFor(interaction),
    ...(ctx.notifyUrl ? { notifyHook: ctx.notifyUrl } : {}),
  });
  const now = ctx.clock();
  const record: TrackedTask = {
    taskId: submitted.taskId,
    title: spec.title,
    prompt: spec.prompt,
    requesterId: interaction.user.id,
    mode: spec.mode,
    parentTaskId: spec.parentTaskId,
    message: {
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      messageId: undefined,
      interaction: {
        applicationId: interaction.applicationId,
        token: interaction.token,
        expiresAt: interaction.createdTimestamp + INTERACTION_TOKEN_MS,
      },
    },
    submittedAt: now,
    lastChangeAt: now,
    view: emptyView(submitted.code === 21 ? 'MODAL' : 'SUBMITTED', submitted.queuePosition),
    renderedHash: undefined,
    phase: 'active',
    endReason: undefined,
    files: [],
  };
  ctx.logger.info({ taskId: record.taskId, title: spec.title, user: interaction.user.id, code: submitted.code }, 'task submitted');
  await ctx.tracker.track(record);
  return record.taskId;
}
