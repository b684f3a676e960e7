import { UserError } from '../errors';
import type { ProviderPreset } from './providers';

/** A prompt the provider will take: not blank, not longer than it accepts. */
export function checkPrompt(raw: string | null, provider: Pick<ProviderPreset, 'maxPromptLength'>): string {
  const prompt = (raw ?? '').trim();
  if (!prompt) throw new UserError((t) => t.input.promptEmpty);
  if (prompt.length > provider.maxPromptLength) {
    throw new UserError((t) => t.input.promptTooLong(prompt.length, provider.maxPromptLength));
  }
  return prompt;
}
