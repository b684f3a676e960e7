import { randomBytes } from 'node:crypto';
import { UserError, type Offer } from '../errors';
import type { Text } from '../i18n';
import { choiceId } from '../render/button-rows';
import { escapeMarkdown, truncateEscaped } from '../render/text';
import { unexpired, type PendingChoice, type Store } from '../store';
import type { TranslationProblem } from '../translator';

/** Why a translation failed, in the member's words. */
const PROBLEMS: Record<TranslationProblem, Text> = {
  unavailable: (t) => t.translation.problems.unavailable,
  timeout: (t) => t.translation.problems.timeout,
  unusable: (t) => t.translation.problems.unusable,
  'too-long': (t) => t.translation.problems.tooLong,
};

/** A choice waits this long: Discord's private answers hold their buttons no longer than the member looks at them. */
const CHOICE_MS = 15 * 60_000;

/**
 * Starts that wait for their member's choice before anything is sent ("show me first", or a translation that
 * failed): kept in the store, so a click on Send reaches a restarted bot (or another process) all the same, and
 * gone by themselves after a few minutes.
 */
export class PendingChoices {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  private async save(choice: Omit<PendingChoice, 'id' | 'expiresAt'>): Promise<PendingChoice> {
    const saved: PendingChoice = { ...choice, id: randomBytes(12).toString('base64url'), expiresAt: this.clock() + CHOICE_MS };
    await this.store.choices.set(saved.id, saved, CHOICE_MS);
    return saved;
  }

  async find(id: string): Promise<PendingChoice | undefined> {
    return unexpired(await this.store.choices.get(id), this.clock());
  }

  /**
   * The private answer that stops a start for its member's choice: the English with Send, Edit and Send as typed, or
   * why the translation failed with Send as typed and Edit; the start waits here for a click. Without a `replay` (a
   * page has no buttons) the failure is only explained.
   */
  async offer(
    member: { guildId: string; userId: string },
    spec: { prompt: string; replay?: PendingChoice['replay'] | undefined },
    shown: string,
    outcome: { english: string } | { failed: TranslationProblem },
  ): Promise<UserError> {
    const english = 'english' in outcome ? outcome.english : undefined;
    const problem: Text = 'failed' in outcome ? PROBLEMS[outcome.failed] : () => '';
    if (!spec.replay) return new UserError((t) => t.translation.failedNoChoice(problem(t)), 'translation failed');
    const choice = await this.save({ guildId: member.guildId, userId: member.userId, replay: spec.replay, typed: spec.prompt, shown, ...(english ? { english } : {}) });
    const quoted = (text: string) => truncateEscaped(escapeMarkdown(text), 1500);
    const asTyped: Offer = { customId: choiceId('typed', choice.id), label: (t) => t.translation.asTyped };
    const edit: Offer = { customId: choiceId('edit', choice.id), label: (t) => t.translation.edit };
    if (english === undefined) return new UserError((t) => t.translation.failed(problem(t), quoted(shown)), 'translation failed', [asTyped, edit]);
    const send: Offer = { customId: choiceId('send', choice.id), label: (t) => t.translation.send, primary: true };
    return new UserError((t) => t.translation.ask(quoted(english)), 'show me first', [send, edit, asTyped]);
  }

  /** Made: its buttons answer "expired" from now on. */
  async forget(id: string): Promise<void> {
    await this.store.choices.delete(id);
  }
}
