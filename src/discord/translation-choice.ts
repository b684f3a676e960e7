import type { ButtonInteraction, ModalSubmitInteraction } from 'discord.js';
import { UserError } from '../errors';
import { CHOICE_FORM_PREFIX, CHOICE_PREFIX, type ChoiceAction } from '../render/button-rows';
import { escapeMarkdown, truncateEscaped } from '../render/text';
import type { PendingChoice } from '../store';
import type { GuardedClick } from './click-guard';
import type { BotContext } from './context';
import { memberMessages } from './locale';
import { promptModal, PROMPT_FIELD } from './modals';
import { requireOwner } from './preconditions';
import type { ChoiceInteraction, Resume } from './start-task';

export const isChoiceButton = (customId: string): boolean => customId.startsWith(CHOICE_PREFIX);
export const isChoiceForm = (customId: string): boolean => customId.startsWith(CHOICE_FORM_PREFIX);

/** The waiting start behind a button or form, if it is still there, in this server, and the clicking member's. */
async function pendingChoice(interaction: ChoiceInteraction, ctx: BotContext, id: string): Promise<PendingChoice> {
  const choice = await ctx.choices.find(id);
  if (!choice || choice.guildId !== interaction.guildId) throw new UserError((t) => t.translation.expired);
  requireOwner(interaction, choice.userId, (t) => t.translation.notYours);
  return choice;
}

/**
 * Sends the waiting start as chosen, once (a double click is refused), through its entry point's `resume` and so
 * through the one start path: the click acknowledges the private answer, which then says what was sent.
 */
async function send(interaction: ChoiceInteraction, ctx: BotContext, resumers: ReadonlyMap<string, Resume>, choice: PendingChoice, sent: string | undefined): Promise<void> {
  const resume = resumers.get(choice.replay.entry);
  if (!resume) throw new UserError((t) => t.translation.expired, `no entry point ${choice.replay.entry}`);
  // Not one-shot: once sent, the choice is gone from the store and its buttons answer "expired" anyway.
  const guard: GuardedClick = { key: `${CHOICE_PREFIX}${choice.id}`, what: (t) => t.once.thisPrompt, refusal: (t) => t.translation.alreadySent };
  await ctx.clickGuard.run(interaction, guard, async () => {
    const submitted = await resume(interaction, ctx, { options: choice.replay.options, sent });
    await ctx.choices.forget(choice.id);
    const t = memberMessages(interaction);
    const quoted = (text: string) => truncateEscaped(escapeMarkdown(text), 900);
    const content = sent === undefined ? t.translation.sentAsTyped(quoted(choice.shown)) : t.translation.sent(quoted(choice.shown), quoted(sent));
    await interaction.editReply({ content, components: [], allowedMentions: { parse: [] } }).catch(() => undefined);
    return submitted;
  });
}

/** Send, Send as typed, or Edit (a form prefilled with the English, or with the prompt when it could not be translated). */
export async function handleChoiceButton(interaction: ButtonInteraction, ctx: BotContext, resumers: ReadonlyMap<string, Resume>): Promise<void> {
  const [, action = '', id = ''] = /^mjtr:(\w+):([\w-]+)$/.exec(interaction.customId) ?? [];
  const choice = await pendingChoice(interaction, ctx, id);
  switch (action as ChoiceAction) {
    case 'edit': {
      const t = memberMessages(interaction);
      const form = promptModal(`${CHOICE_FORM_PREFIX}${choice.id}`, t.translation.editTitle, choice.english ?? choice.shown, 'prompt', ctx.upstreams.maxPromptLength, t);
      return interaction.showModal(form);
    }
    case 'send':
      if (choice.english === undefined) throw new UserError((t) => t.common.buttonGone);
      return send(interaction, ctx, resumers, choice, choice.english);
    case 'typed':
      return send(interaction, ctx, resumers, choice, undefined);
    default:
      throw new UserError((t) => t.common.buttonGone);
  }
}

/** The Edit form's submit: what the member wrote is sent as it is (checked like any prompt, not translated again). */
export async function handleChoiceForm(interaction: ModalSubmitInteraction, ctx: BotContext, resumers: ReadonlyMap<string, Resume>): Promise<void> {
  const choice = await pendingChoice(interaction, ctx, interaction.customId.slice(CHOICE_FORM_PREFIX.length));
  return send(interaction, ctx, resumers, choice, interaction.fields.getTextInputValue(PROMPT_FIELD));
}
