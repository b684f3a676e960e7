import { createHash } from 'node:crypto';
import type { Logger } from '../logger';
import type { GuildSettings, Store } from '../store';
import { ChatTranslator, joinParts, promptParts, TranslationFailed } from '../translator';

/** A translation is remembered this long: rerolls, retries and repeats of the day cost no second call. */
const REMEMBERED_MS = 86_400_000;
/** The whole translation of one prompt, however many parts it has. */
const DEADLINE_MS = 10_000;
/** Characters of words to translate in one prompt: a request and its answer stay small whatever is typed. */
const MAX_TEXT = 2_000;

/**
 * Prompts in other languages, for the start path: the parts of a prompt with CJK in them are translated to English
 * (links, parameters, weights and permutations kept byte for byte, src/translator/prompt-parts.ts), each through the
 * chat API once a day at most (remembered in the store, per exact text and model, for the whole fleet), all of a
 * prompt's parts at once within 10 s. A prompt without CJK never reaches the translator.
 */
export class PromptTranslation {
  constructor(
    private readonly translator: ChatTranslator | undefined,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly clock: () => number,
  ) {}

  /** Whether prompts are translated in a server: a translator is configured and its admins did not turn it off. */
  on(settings: Pick<GuildSettings, 'translate'>): boolean {
    return this.translator !== undefined && settings.translate !== false;
  }

  /** Whether a translator is configured at all (/admin translate on needs one). */
  get configured(): boolean {
    return this.translator !== undefined;
  }

  /** `prompt` in English; the same text when it holds no CJK. Throws TranslationFailed (nothing was sent). */
  async english(prompt: string): Promise<string> {
    const parts = promptParts(prompt);
    const texts = [...new Set(parts.filter((part) => part.translate).map((part) => part.text))];
    if (texts.length === 0 || !this.translator) return prompt;
    const total = texts.reduce((sum, text) => sum + text.length, 0);
    if (total > MAX_TEXT) throw new TranslationFailed('too-long', `${total} characters to translate, at most ${MAX_TEXT}`);
    const deadline = this.clock() + DEADLINE_MS;
    const found = new Map<string, string>();
    await Promise.all(texts.map(async (text) => found.set(text, await this.one(this.translator!, text, deadline))));
    return joinParts(parts, (text) => found.get(text)!);
  }

  /** One text's English: remembered, else asked for (and then remembered). */
  private async one(translator: ChatTranslator, text: string, deadline: number): Promise<string> {
    const key = createHash('sha256').update(`${translator.model}\n${text}`).digest('base64url');
    const now = this.clock();
    const remembered = await this.store.translations.get(key);
    if (remembered && remembered.expiresAt > now) return remembered.english;
    try {
      const english = await translator.translate(text, deadline - this.clock());
      await this.store.translations.set(key, { english, expiresAt: now + REMEMBERED_MS }, REMEMBERED_MS);
      this.logger.debug({ chars: text.length, ms: this.clock() - now }, 'prompt translated');
      return english;
    } catch (error) {
      // The translator's words were scrubbed of every secret when they were read (chat-api.ts).
      this.logger.warn({ problem: error instanceof TranslationFailed ? error.problem : 'error', reason: (error as Error).message }, 'a prompt could not be translated');
      throw error instanceof TranslationFailed ? error : new TranslationFailed('unavailable', 'translation failed');
    }
  }
}
