import type { ButtonInteraction } from 'discord.js';
import { UserError } from '../errors';
import { actionInfo, actionOf } from '../mj/actions';
import { withModalCode } from '../mj/modal-flow';
import { providerRejects } from '../mj/providers';
import { BUTTON_PREFIX, EDIT_PROMPT_PREFIX, SEED_PREFIX } from '../render/button-rows';
import { parseTextResult } from '../render/text';
import type { ButtonTarget } from '../store';
import type { BotContext } from './context';
import { openButtonModal } from './modals';
import { openRegionEditor } from './region';
import { liveButtonTarget, requireOwner } from './preconditions';
import { startFromInteraction } from './start-task';


/** The target of a button click, after the checks every click gets (owner, server, provider). */
async function checkedTarget(interaction: ButtonInteraction, ctx: BotContext): Promise<ButtonTarget> {
  const target = await liveButtonTarget(interaction, ctx, interaction.customId);
  requireOwner(interaction, target.ownerId, (t, owner) => t.access.onlyOwnerButtons(owner));
  // The task's own API decides (it alone gets the click).
  const { provider } = ctx.upstreams.ref(target.taskId).upstream;
  if (providerRejects(provider, target.customId)) {
    throw new UserError((t) => t.access.notOffered(target.label, provider.title));
  }
  return target;
}

export async function handleMjButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const key = interaction.customId;
  const target = await checkedTarget(interaction, ctx);
  const action = actionOf(target);
  const info = actionInfo(action, target.label);
  // A modal must be the first answer to the click: no defer before it.
  if (info.prompt) return openButtonModal(interaction, ctx, key, target, info.prompt);
  if (info.mask) return openRegionEditor(interaction, ctx, target);

  await ctx.clickGuard.run(interaction, { key, what: (t) => t.once.quoted(target.label), oneShot: info.oneShot }, async () => {
    const parent = await ctx.store.tasks.get(target.taskId);
    // "Imagine all" starts one task per describe prompt: each gets its own card.
    const describePrompts = action.kind === 'describe-all' && parent ? parseTextResult(parent.view.finalPrompt || parent.view.description).prompts : [];
    return startFromInteraction(interaction, ctx, {
      title: info.title,
      action,
      prompt: describePrompts[0] ?? parent?.prompt ?? '',
      // A translated grid's upscales and variations were made from its English: their cards say so too.
      sentAs: describePrompts[0] === undefined ? parent?.sentPrompt : undefined,
      mode: parent?.mode,
      parentTaskId: target.taskId,
      kind: target.label,
      cost: describePrompts.length > 1 ? describePrompts.length : 1,
      submit: async ({ api, parentId, common, mode: sendMode }) => {
        const change = parent?.view.classic ? info.change : undefined;
        const taskId = parentId ?? target.taskId;
        const answer = change
          ? await api.submitChange({ taskId, ...change, ...common }, sendMode)
          : await api.submitAction({ taskId, customId: target.customId, ...common }, sendMode);
        // An account in remix mode holds variations, pans and rerolls for a prompt.
        return info.remix ? withModalCode(api, answer) : answer;
      },
      more: (n) => ({ title: (t) => t.titles.describePrompt(n + 1), prompt: describePrompts[n] ?? '' }),
    });
  });
}

export const isMjButton = (customId: string) => customId.startsWith(BUTTON_PREFIX);
export const isSeedButton = (customId: string) => customId.startsWith(SEED_PREFIX);
export const isEditPromptButton = (customId: string) => customId.startsWith(EDIT_PROMPT_PREFIX);
