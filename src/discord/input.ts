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

/** An image option (an attachment Discord uploads for the member). */
export function imageOption(name: string, description: string, required = false): APIApplicationCommandOption {
  return { type: ApplicationCommandOptionType.Attachment, name, description, required };
}

/** A web link option, as an alternative to an image option. */
export function linkOption(description: string): APIApplicationCommandOption {
  return { type: ApplicationCommandOptionType.String, name: 'link', description, required: false, max_length: 2000 };
}

/** An optional choice among fixed values: `[shown name, value]` pairs. */
export function choiceOption(name: string, description: string, choices: ReadonlyArray<readonly [string, string]>): APIApplicationCommandOption {
  return { type: ApplicationCommandOptionType.String, name, description, required: false, choices: choices.map(([shown, value]) => ({ name: shown, value })) };
}

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

/** Blend takes 2 to 5 images. */
export function checkBlendCount(count: number): void {
  if (count < 2) throw new UserError('Blend needs at least two images: attach one to `image1` and one to `image2`.');
  if (count > 5) throw new UserError('Blend takes at most five images.');
}

const BLEND_DIMENSIONS = { portrait: 'PORTRAIT', square: 'SQUARE', landscape: 'LANDSCAPE' } as const;
export type BlendDimensions = (typeof BLEND_DIMENSIONS)[keyof typeof BLEND_DIMENSIONS];

/** `portrait|square|landscape` → the API's spelling; undefined = the API's default (square). */
export function blendDimensions(raw: string | null): BlendDimensions | undefined {
  if (!raw) return undefined;
  const value = BLEND_DIMENSIONS[raw.toLowerCase() as keyof typeof BLEND_DIMENSIONS];
  if (!value) throw new UserError('Dimensions must be portrait, square or landscape.');
  return value;
}

/** /describe reads exactly one picture: an attachment or a link. */
export function checkOneSource(hasImage: boolean, link: string | null): 'image' | 'link' {
  const hasLink = Boolean(link?.trim());
  if (hasImage && hasLink) throw new UserError('Give either an image or a link, not both.');
  if (!hasImage && !hasLink) throw new UserError('Attach an image or give a link to one (`image:` or `link:`).');
  return hasImage ? 'image' : 'link';
}

/** Custom Zoom needs `--zoom X` with X between 1 and 2 in its prompt. */
export function checkZoomPrompt(prompt: string): string {
  const flags = [...prompt.matchAll(/(?:^|\s)--zoom(?:\s+(\S+))?/gi)];
  const last = flags.at(-1);
  if (!last) throw new UserError('Custom Zoom needs `--zoom` with a factor between 1 and 2 at the end of the prompt, e.g. `--zoom 1.5`.');
  const factor = Number(last[1]);
  if (!last[1] || !Number.isFinite(factor) || factor < 1 || factor > 2) {
    throw new UserError(`The zoom factor must be a number between 1 and 2 (got \`${(last[1] ?? 'nothing').slice(0, 20)}\`), e.g. \`--zoom 1.5\`.`);
  }
  return prompt;
}

/** What a prompt modal is for: zoom prompts carry --zoom, the others are any prompt the provider takes. */
export type PromptPurpose = 'zoom' | 'prompt';

/** The text a member typed into a prompt modal, checked before anything is sent. */
export function checkModalPrompt(raw: string | null, purpose: PromptPurpose, provider: ProviderPreset): string {
  const prompt = checkPrompt(raw, provider);
  return purpose === 'zoom' ? checkZoomPrompt(prompt) : prompt;
}

/** Replaces any --zoom flag by `--zoom <factor>`: the prefilled prompt of a Custom Zoom. */
export function withZoom(prompt: string, factor = '2'): string {
  const bare = prompt.replace(/(?:^|\s)--zoom(?:\s+\S+)?/gi, '').trim();
  return `${bare} --zoom ${factor}`.trim();
}
