import { ApplicationCommandOptionType, type APIApplicationCommandOption, type ChatInputCommandInteraction } from 'discord.js';
import { MODES, type Mode } from '../mj/modes';
import { UserError } from '../errors';
import { choiceOf, described, named, type ChoiceValue, type OptionName, type Text } from '../i18n';
import { checkPrompt } from '../mj/prompt';
import type { ProviderPreset } from '../mj/providers';

/** The `mode` option every command that costs GPU time takes. */
export const modeOption: APIApplicationCommandOption = {
  type: ApplicationCommandOptionType.String,
  ...named('mode'),
  ...described((t) => t.commands.mode),
  required: false,
  choices: MODES.map(choiceOf),
};

/** An image option (an attachment Discord uploads for the member). */
export function imageOption(name: OptionName, says: Text, required = false): APIApplicationCommandOption {
  return { type: ApplicationCommandOptionType.Attachment, ...named(name), ...described(says), required };
}

/** A web link option, as an alternative to an image option. */
export function linkOption(says: Text): APIApplicationCommandOption {
  return { type: ApplicationCommandOptionType.String, ...named('link'), ...described(says), required: false, max_length: 2000 };
}

/** An optional choice among fixed values (their names are in the catalogues' `choices`). */
export function choiceOption(name: OptionName, says: Text, values: readonly ChoiceValue[]): APIApplicationCommandOption {
  return { type: ApplicationCommandOptionType.String, ...named(name), ...described(says), required: false, choices: values.map(choiceOf) };
}

export function promptOption(says: Text, maxLength = 4000): APIApplicationCommandOption {
  return { type: ApplicationCommandOptionType.String, ...named('prompt'), ...described(says), required: true, min_length: 1, max_length: maxLength };
}

export function readMode(interaction: ChatInputCommandInteraction, provider: Pick<ProviderPreset, 'modes'>): Mode | undefined {
  const value = interaction.options.getString('mode');
  if (!value) return undefined;
  const mode = value as Mode;
  if (!MODES.includes(mode)) throw new UserError((t) => t.input.unknownMode(value, [...MODES]));
  if (!provider.modes.includes(mode)) {
    throw new UserError((t) => t.input.modeNotOffered(mode, [...provider.modes]));
  }
  return mode;
}

/** Blend takes 2 to 5 images. */
export function checkBlendCount(count: number): void {
  if (count < 2) throw new UserError((t) => t.input.blendTooFew);
  if (count > 5) throw new UserError((t) => t.input.blendTooMany);
}

const BLEND_DIMENSIONS = { portrait: 'PORTRAIT', square: 'SQUARE', landscape: 'LANDSCAPE' } as const;
export type BlendDimensions = (typeof BLEND_DIMENSIONS)[keyof typeof BLEND_DIMENSIONS];

/** `portrait|square|landscape` → the API's spelling; undefined = the API's default (square). */
export function blendDimensions(raw: string | null): BlendDimensions | undefined {
  if (!raw) return undefined;
  const value = BLEND_DIMENSIONS[raw.toLowerCase() as keyof typeof BLEND_DIMENSIONS];
  if (!value) throw new UserError((t) => t.input.blendDimensions);
  return value;
}

/** /describe reads exactly one picture: an attachment or a link. */
export function checkOneSource(hasImage: boolean, link: string | null): 'image' | 'link' {
  const hasLink = Boolean(link?.trim());
  if (hasImage && hasLink) throw new UserError((t) => t.input.imageOrLink);
  if (!hasImage && !hasLink) throw new UserError((t) => t.input.imageOrLinkMissing);
  return hasImage ? 'image' : 'link';
}

/**
 * Custom Zoom needs `--zoom X` with X between 1 and 2 in its prompt.
 * @internal
 */
export function checkZoomPrompt(prompt: string): string {
  const flags = [...prompt.matchAll(/(?:^|\s)--zoom(?:\s+(\S+))?/gi)];
  const last = flags.at(-1);
  if (!last) throw new UserError((t) => t.input.zoomMissing);
  const factor = Number(last[1]);
  if (!last[1] || !Number.isFinite(factor) || factor < 1 || factor > 2) {
    const got = (last[1] ?? '').slice(0, 20);
    throw new UserError((t) => t.input.zoomFactor(got));
  }
  return prompt;
}

/** What a prompt modal is for: zoom prompts carry --zoom, the others are any prompt the provider takes. */
export type PromptPurpose = 'zoom' | 'prompt';

/** The text a member typed into a prompt modal, checked before anything is sent. */
export function checkModalPrompt(raw: string | null, purpose: PromptPurpose, provider: Pick<ProviderPreset, 'maxPromptLength'>): string {
  const prompt = checkPrompt(raw, provider);
  return purpose === 'zoom' ? checkZoomPrompt(prompt) : prompt;
}

/** Replaces any --zoom flag by `--zoom <factor>`: the prefilled prompt of a Custom Zoom. */
export function withZoom(prompt: string, factor = '2'): string {
  const bare = prompt.replace(/(?:^|\s)--zoom(?:\s+\S+)?/gi, '').trim();
  return `${bare} --zoom ${factor}`.trim();
}
