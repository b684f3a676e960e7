import type { ButtonInteraction } from 'discord.js';
import { UserError } from '../errors';
import { changeFor } from '../mj/classic';
import type { Submitted } from '../mj/client';
import { providerRejects } from '../mj/providers';
import { BUTTON_PREFIX, EDIT_PROMPT_PREFIX, SEED_PREFIX } from '../render/buttons';
import { parseTextResult } from '../render/text';
import type { ButtonTarget } from '../store';
import type { BotContext } from './context';
import { openButtonModal, promptButton } from './modals';
import { startOnce } from './once';
import { liveButtonTarget } from './preconditions';
import { startTask } from './start-task';


/** "Upscale U2", "Variation V1", … : the title of the card a click starts. */
export function actionTitle(customId: string, label: string): string {
  const upscale = /::upsample::(\d)/i.exec(customId);
  if (upscale) return `Upscale U${upscale[1]}`;
  const variation = /::variation::(\d)/i.exec(customId);
  if (variation) return `Variation V${variation[1]}`;
  const videoUpscale = /::video_virtual_upscale::(\d)/i.exec(customId);
  if (videoUpscale) return `Video U${videoUpscale[1]}`;
  if (/::reroll::/i.test(customId)) return 'Reroll';
  const pan = /::pan_(\w+?)::/i.exec(customId);
  if (pan) return `Pan ${pan[1]}`;
  if (/^MJ::Picread::Retry/i.test(customId)) return 'Describe (retry)';
  if (/^MJ::Job::PicReader::all/i.test(customId)) return 'Imagine prompt 1 (describe)';
  return label || 'Action';
}

/** U1–U4 make the same picture every time: once is enough (as in Midjourney). */
const isOneShot = (customId: string) => /::upsample::\d/i.test(customId);

/** Variations, pans, rerolls and animate open Midjourney's remix modal when the account has remix on. */
export const remixSensitive = (customId: string) => /::(variation|low_variation|high_variation|reroll|pan_\w+|animate_(high|low))::/i.test(customId);

/** The target of a button click, after the checks every click gets (owner, server, provider). */
async function checkedTarget(interaction: ButtonInteraction, ctx: BotContext): Promise<ButtonTarget> {
  const target = await liveButtonTarget(interaction, ctx, interaction.customId);
  if (target.ownerId !== interaction.user.id) {
    throw new UserError(`Only <@${target.ownerId}>, who asked for this image, can use its buttons. Try /imagine to make your own.`);
  }
  if (/^MJ::Inpaint::/i.test(target.customId)) {
    throw new UserError(
      'Vary (Region) needs a mask painted on the image, which Discord cannot do yet. Try Vary (Subtle) or Vary (Strong), or Zoom/Pan, instead.',
    );
  }
  if (providerRejects(ctx.provider, target.customId)) {
    throw new UserError(`“${target.label}” is not offered by this server's Midjourney provider (${ctx.provider.title}).`);
  }
  return target;
}

export async function handleMjButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const key = interaction.customId;
  const target = await checkedTarget(interaction, ctx);
  // A modal must be the first answer to the click: no defer before it.
  const needsPrompt = promptButton(target.customId);
  if (needsPrompt) return openButtonModal(interaction, ctx, key, target, needsPrompt);

  await startOnce(interaction, ctx, { key, what: `“${target.label}”`, oneShot: isOneShot(target.customId) }, async () => {
    await interaction.deferReply();
    const parent = await ctx.store.tasks.get(target.taskId);
    // "Imagine all" starts one task per describe prompt: each gets its own card.
    const describePrompts = /^MJ::Job::PicReader::all/i.test(target.customId) && parent
      ? parseTextResult(parent.view.finalPrompt || parent.view.description).prompts
      : [];
    return startTask(interaction, ctx, {
      title: actionTitle(target.customId, target.label),
      prompt: describePrompts[0] ?? parent?.prompt ?? '',
      mode: parent?.mode,
      parentTaskId: target.taskId,
      kind: target.label,
      cost: describePrompts.length > 1 ? describePrompts.length : 1,
      submit: async (common, sendMode): Promise<Submitted> => {
        const change = parent?.view.classic ? changeFor(target.customId) : undefined;
        const answer = change
          ? await ctx.mj.submitChange({ taskId: target.taskId, ...change, ...common }, sendMode)
          : await ctx.mj.submitAction({ taskId: target.taskId, customId: target.customId, ...common }, sendMode);
        // Behind new-api a remix modal (21) comes back as 1: the task's status tells.
        if (answer.code !== 21 && remixSensitive(target.customId)) {
          const task = await ctx.mj.fetchTask(answer.taskId).catch(() => undefined);
          if (task?.status === 'MODAL') return { ...answer, code: 21 };
        }
        return answer;
      },
      more: (n) => ({ title: `Imagine prompt ${n + 1} (describe)`, prompt: describePrompts[n] ?? '' }),
    });
  });
}

export const isMjButton = (customId: string) => customId.startsWith(BUTTON_PREFIX);
export const isSeedButton = (customId: string) => customId.startsWith(SEED_PREFIX);
export const isEditPromptButton = (customId: string) => customId.startsWith(EDIT_PROMPT_PREFIX);
