import { createHash } from 'node:crypto';
import {
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type APIModalInteractionResponseCallbackData,
  type ButtonInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { UserError } from '../errors';
import type { Messages, Text } from '../i18n';
import { actionThenModal } from '../mj/modal-flow';
import { actionInfo, actionOf, type PromptNeed } from '../mj/actions';
import { actionAccepted } from '../mj/providers';
import { EDIT_PROMPT_PREFIX } from '../render/button-rows';
import { escapeMarkdown, parseTextResult, truncateEscaped } from '../render/text';
import type { ButtonTarget, TrackedTask } from '../store';
import type { BotContext } from './context';
import { memberMessages } from './locale';
import { checkModalPrompt, withZoom, type PromptPurpose } from './input';
import { liveButtonTarget, memberOf, requireOwner, sameGuild } from './preconditions';
import { stateOf } from '../tasks/start';
import { startFromInteraction, type ChoiceInteraction, type InteractionTaskSpec, type Resume } from './start-task';

/**
 * Prompts typed into Discord modals. A modal can only be the FIRST answer to a click (never after a
 * defer), so buttons known to need a prompt open one straight away and the API is called on its submit.
 *
 * - `mjmodal:<button key>`: Custom Zoom, PicReader N, PromptAnalyzer N → `/mj/submit/action`, then
 *   `/mj/submit/modal {taskId of the MODAL task, prompt}` (or `/mj/submit/imagine` where the provider refuses the action).
 * - `mjeditm:<task id>`: the "Edit prompt" button of a task the API unexpectedly holds in MODAL (remix mode)
 *   → `/mj/submit/modal {taskId, prompt}`; the task's card follows it as before.
 */
const MODAL_PREFIX = 'mjmodal:';
const EDIT_MODAL_PREFIX = 'mjeditm:';
/** The one text input of every prompt form. */
export const PROMPT_FIELD = 'prompt';
/** Discord's limits: modal title 45, text input label 45, value 4000. */
const MAX_INPUT = 4000;


/**
 * The text a prompt modal opens with: the chosen describe/shorten prompt, or the image's prompt with --zoom 2.
 * @internal
 */
export function prefillFor(need: PromptNeed, parent: Pick<TrackedTask, 'prompt' | 'view'> | undefined): string {
  if (need.form === 'zoom') return withZoom(parent ? parent.prompt || parent.view.finalPrompt : '');
  if (!parent) return '';
  const { prompts } = parseTextResult(parent.view.finalPrompt || parent.view.description);
  return prompts[need.index - 1] ?? '';
}

/** A modal with one paragraph input named `prompt`, prefilled, in the member's language. */
export function promptModal(
  customId: string,
  title: string,
  value: string,
  purpose: PromptPurpose,
  maxLength: number,
  t: Messages,
): APIModalInteractionResponseCallbackData {
  const max = Math.max(1, Math.min(MAX_INPUT, maxLength));
  const prefill = value.trim().slice(0, max);
  return {
    custom_id: customId,
    title: title.slice(0, 45),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: PROMPT_FIELD,
            label: (purpose === 'zoom' ? t.forms.zoomPrompt : t.forms.prompt).slice(0, 45),
            style: TextInputStyle.Paragraph,
            required: true,
            min_length: 1,
            max_length: max,
            ...(prefill ? { value: prefill } : {}),
          },
        ],
      },
    ],
  };
}

const purposeOf = (need: PromptNeed): PromptPurpose => (need.form === 'zoom' ? 'zoom' : 'prompt');
/** A task waiting in MODAL takes a zoom prompt when a Custom Zoom started it (older records: by its title). */
const purposeOfTask = (record: TrackedTask): PromptPurpose =>
  record.action?.kind === 'zoom-custom' || (!record.action && record.title === 'Custom Zoom') ? 'zoom' : 'prompt';

/** First answer to a click on Custom Zoom / PicReader N / PromptAnalyzer N (checks are done by the caller). */
export async function openButtonModal(interaction: ButtonInteraction, ctx: BotContext, key: string, target: ButtonTarget, need: PromptNeed): Promise<void> {
  const parent = await ctx.store.tasks.get(target.taskId);
  const t = memberMessages(interaction);
  const title = actionInfo(target.customId, target.label).title(t);
  const { provider } = ctx.upstreams.ref(target.taskId).upstream;
  await interaction.showModal(promptModal(`${MODAL_PREFIX}${key}`, title, prefillFor(need, parent), purposeOf(need), provider.maxPromptLength, t));
}

/** A task the bot tracks, if it belongs to this server and this member may act on it. */
async function ownTask(interaction: ButtonInteraction | ModalSubmitInteraction, ctx: BotContext, taskId: string): Promise<TrackedTask> {
  const record: TrackedTask | undefined = await ctx.tracker.find(taskId);
  sameGuild(interaction, record, (t) => t.access.taskGoneRunAgain);
  requireOwner(interaction, record.requesterId, (t, owner) => t.access.onlyOwnerPrompt(owner));
  if (record.state.kind !== 'needs-prompt') throw new UserError((t) => t.once.promptAlreadySent);
  return record;
}

/** "Edit prompt" on a card whose task waits in MODAL: opens the prompt modal at once. */
export async function openEditPromptModal(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const taskId = interaction.customId.slice(EDIT_PROMPT_PREFIX.length);
  const record = await ownTask(interaction, ctx, taskId);
  if (await ctx.store.clicks.get(`${EDIT_MODAL_PREFIX}${taskId}`)) throw new UserError((t) => t.once.promptAlreadySent);
  const purpose = purposeOfTask(record);
  const value = purpose === 'zoom' ? withZoom(record.prompt) : record.prompt;
  const t = memberMessages(interaction);
  const { provider } = ctx.upstreams.ref(taskId).upstream;
  await interaction.showModal(promptModal(`${EDIT_MODAL_PREFIX}${taskId}`, t.forms.editPrompt, value, purpose, provider.maxPromptLength, t));
}

/**
 * What a prompt form (Custom Zoom, PicReader N, PromptAnalyzer N) starts: the button's action and then the prompt,
 * or an /imagine where the provider refuses the action. Its `replay` names the button, for a member's choice.
 */
async function buttonPromptSpec(interaction: ChoiceInteraction, ctx: BotContext, key: string, prompt: string): Promise<InteractionTaskSpec> {
  const target = await liveButtonTarget(interaction, ctx, key);
  const action = actionOf(target);
  const info = actionInfo(action, target.label);
  if (!info.prompt) throw new UserError((t) => t.common.formGone);
  requireOwner(interaction, target.ownerId, (t, owner) => t.access.onlyOwnerForm(owner));
  const { provider } = ctx.upstreams.ref(target.taskId).upstream;
  const parent = await ctx.store.tasks.get(target.taskId);
  // Buttons the bot drew for the open-source proxy have no /submit/action behind them.
  const viaAction = !parent?.view.classic && actionAccepted(provider, target.customId);
  if (!viaAction && !info.imagineFallback) {
    throw new UserError((t) => t.access.notOffered(target.label, provider.title));
  }
  return {
    title: info.title,
    action,
    prompt,
    usesPrefs: true,
    typed: true,
    replay: { entry: 'form', options: { key, prompt } },
    mode: parent?.mode,
    parentTaskId: target.taskId,
    kind: target.label,
    submit: ({ api, parentId, common, mode: sendMode, prompt: sent }) =>
      viaAction
        ? actionThenModal(api, { taskId: parentId ?? target.taskId, customId: target.customId }, sent, common, sendMode)
        : api.submitImagine({ prompt: sent, ...common }, sendMode),
  };
}

async function submitButtonPrompt(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<void> {
  const key = interaction.customId.slice(MODAL_PREFIX.length);
  const target = await liveButtonTarget(interaction, ctx, key);
  const info = actionInfo(actionOf(target), target.label);
  if (!info.prompt) throw new UserError((t) => t.common.formGone);
  const { provider } = ctx.upstreams.ref(target.taskId).upstream;
  const prompt = checkModalPrompt(interaction.fields.getTextInputValue(PROMPT_FIELD), purposeOf(info.prompt), provider);
  const spec = await buttonPromptSpec(interaction, ctx, key, prompt);
  // A double click on the form's Submit arrives as two interactions, possibly after the first has finished.
  const once = `${MODAL_PREFIX}${key}:${createHash('sha1').update(prompt).digest('base64url').slice(0, 16)}`;
  await ctx.clickGuard.run(interaction, { key: once, what: (t) => t.once.thisPrompt }, () => startFromInteraction(interaction, ctx, spec));
}

/** A prompt form's start again, once its member chose how the prompt is sent (src/discord/translation-choice.ts). */
export const resumeButtonPrompt: Resume = async (interaction, ctx, choice) => {
  const { key, prompt } = choice.options as { key: string; prompt: string };
  return startFromInteraction(interaction, ctx, await buttonPromptSpec(interaction, ctx, key, prompt), choice);
};

async function submitEditedPrompt(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<void> {
  const taskId = interaction.customId.slice(EDIT_MODAL_PREFIX.length);
  const record = await ownTask(interaction, ctx, taskId);
  const typed = checkModalPrompt(interaction.fields.getTextInputValue(PROMPT_FIELD), purposeOfTask(record), ctx.upstreams.ref(taskId).upstream.provider);
  // A prompt the member sends, like any other: their /settings and suffix apply (once: the prefill has them), and
  // its CJK words are translated (no choice is offered here: the task waits at the API for this very prompt).
  const member = { guildId: record.message.guildId, userId: interaction.user.id, admin: memberOf(interaction as ModalSubmitInteraction & { guildId: string; channelId: string }).admin };
  const prompt = await ctx.starter.prompt(member, typed);
  const already: Text = (t) => t.once.promptAlreadySent;
  await ctx.clickGuard.run(interaction, { key: `${EDIT_MODAL_PREFIX}${taskId}`, what: (t) => t.once.thisPrompt, oneShot: true, refusal: already }, async () => {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const state = stateOf({ guildId: record.message.guildId, channelId: interaction.channelId ?? '', userId: interaction.user.id });
    // The task waits at the API that made it: the prompt goes there, and only there.
    const sent = await ctx.starter.striking(member, () =>
      ctx.upstreams.followUp(taskId, ({ upstream, id }) =>
        upstream.client.submitModal({ taskId: id, prompt: prompt.sent, state, ...(upstream.notifyUrl ? { notifyHook: upstream.notifyUrl } : {}) }, record.mode),
      ),
    );
    // The card shows the prompt the task now runs with.
    ctx.tracker.promptSent(taskId, prompt.shown, prompt.sent);
    ctx.logger.info({ taskId, user: interaction.user.id }, 'modal prompt sent');
    const t = memberMessages(interaction);
    const quoted = (text: string) => truncateEscaped(escapeMarkdown(text), 900);
    await interaction.editReply({ content: prompt.sent === prompt.shown ? t.buttons.promptSent : t.buttons.promptSentAs(quoted(prompt.shown), quoted(prompt.sent)), allowedMentions: { parse: [] } });
    return sent;
  });
}

/** Routes a modal submit by its custom_id. */
export async function handleModalSubmit(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<void> {
  if (interaction.customId.startsWith(MODAL_PREFIX)) return submitButtonPrompt(interaction, ctx);
  if (interaction.customId.startsWith(EDIT_MODAL_PREFIX)) return submitEditedPrompt(interaction, ctx);
  throw new UserError((t) => t.common.formGone);
}
