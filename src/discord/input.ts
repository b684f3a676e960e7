import { ApplicationCommandOptionType, type APIApplicationCommandOption, type ChatInputCommandInteraction } from 'discord.js';
import { MODES, type Mode } from '../config';
import { UserError } from '../errors';
import type { ProviderPreset } from '../mj/providers';

/** The `mode` option every command that costs GPU time takes. */
export const modeOption: APIApplicationCommandOption = {
  type: ApplicationCommandOptionType.String,
  name: 'mode',
  description: 'Speed mode (default: the server setting)',
  required: false,
  choices: MODES.map((mode) => ({ name: mode, value: mode })),
};

export function promptOption(description: string, maxLength = 4000): APIApplicationCommandOption {
  return { type: ApplicationCommandOptionType.String, name: 'prompt', description, required: true, min_length: 1, max_length: maxLength };
}

/** A prompt the provider will take: not blank, not longer than it accepts. */
export function checkPrompt(raw: string | null, provider: ProviderPreset): string {
  const prompt = (raw ?? '').trim();
  if (!prompt) throw new UserError('The prompt is empty. Describe what you want to see, e.g. `/imagine prompt: a red fox in the snow`.');
  if (prompt.length > provider.maxPromptLength) {
    throw new UserError(
      `The prompt is ${prompt.length} characters long; this server's provider accepts at most ${provider.maxPromptLength}. Please shorten it (/shorten can help).`,
    );
  }
  return prompt;
}

export function readMode(interaction: ChatInputCommandInteraction, provider: ProviderPreset): Mode | undefined {
  const value = interaction.options.getString('mode');
  if (!value) return undefined;
  const mode = value as Mode;
  if (!MODES.includes(mode)) throw new UserError(`Unknown mode “${value}”. Choose one of ${MODES.join(', ')}.`);
  if (!provider.modes.includes(mode)) {
    throw new UserError(`This server's provider does not offer ${mode} mode. Choose one of ${provider.modes.join(', ')}.`);
  }
  return mode;
}
