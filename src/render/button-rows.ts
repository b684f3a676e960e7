import { createHash } from 'node:crypto';
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord.js';
import { actionInfo } from '../mj/actions';
import type { MjButton } from '../mj/schemas';

/** Discord's component limits. */
const MAX_BUTTONS = 25;
const BUTTONS_PER_ROW = 5;
const MAX_LABEL = 80;
export const BUTTON_PREFIX = 'mj:';
/**
 * The bot's own buttons: `mjseed:<taskId>` (image seed), `mjedit:<taskId>` (prompt for a task in MODAL),
 * `mjstar:<taskId>` (⭐, any member's).
 */
export const SEED_PREFIX = 'mjseed:';
export const EDIT_PROMPT_PREFIX = 'mjedit:';
/**
 * A member's choice about a translated prompt (src/discord/translation-choice.ts): `mjtr:<what>:<choice id>` on the
 * buttons of the private answer, `mjtrm:<choice id>` on the form its Edit opens.
 */
export const CHOICE_PREFIX = 'mjtr:';
export const CHOICE_FORM_PREFIX = 'mjtrm:';
export type ChoiceAction = 'send' | 'typed' | 'edit';
export const choiceId = (action: ChoiceAction, id: string): string => `${CHOICE_PREFIX}${action}:${id}`;
export const STAR_PREFIX = 'mjstar:';

/** A rendered MJ button and what its short Discord custom_id stands for. */
export interface ButtonSlot {
  key: string;
  customId: string;
  label: string;
}

/** Custom (non-unicode) emoji names MJ sends, e.g. `upscale_1`, mapped to unicode. */
const CUSTOM_EMOJI: Record<string, string> = { upscale_1: '⏫' };

const UNICODE_EMOJI = /^(\p{Extended_Pictographic}|\p{Regional_Indicator}|[0-9#*]\uFE0F?\u20E3)/u;
/** Graphemes, so a flag or a family (several code points) counts as the one emoji it is. */
const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A unicode emoji Discord accepts: exactly one, nothing else (Discord refuses "🔄 x" or "🔄🔄" as an invalid
 * emoji); custom emoji need an id we do not have. Otherwise undefined.
  * @internal
 */
export function readableEmoji(raw: string): string | undefined {
  const name = raw.trim();
  if (!name) return undefined;
  if (CUSTOM_EMOJI[name]) return CUSTOM_EMOJI[name];
  if (!UNICODE_EMOJI.test(name)) return undefined;
  const segments = GRAPHEMES.segment(name)[Symbol.iterator]();
  segments.next();
  return segments.next().done ? name : undefined;
}

/** Discord's limit on a custom_id. */
const MAX_CUSTOM_ID = 100;

/** The custom_id of one of the bot's own buttons for a task, or undefined when the task id is too long for one. */
export const ownButtonId = (prefix: typeof SEED_PREFIX | typeof EDIT_PROMPT_PREFIX | typeof STAR_PREFIX, taskId: string): string | undefined =>
  prefix.length + taskId.length <= MAX_CUSTOM_ID ? `${prefix}${taskId}` : undefined;

/**
 * A readable label for a button Midjourney sends without one (actions.ts).
 * @internal
 */
export const derivedLabel = (customId: string): string => actionInfo(customId).label;

/** The Discord custom_id for button `index` of `taskId`: short, deterministic, well under 100 characters. */
export function buttonKey(taskId: string, index: number): string {
  const id = taskId.length <= 40 ? taskId : createHash('sha1').update(taskId).digest('base64url').slice(0, 20);
  return `${BUTTON_PREFIX}${id}:${index}`;
}

const isLinkButton = (button: MjButton) =>
  button.style === ButtonStyle.Link || !button.customId || /^https?:\/\//i.test(button.customId);

export interface MappedButtons {
  rows: APIActionRowComponent<APIButtonComponent>[];
  slots: ButtonSlot[];
  /** MJ buttons that did not fit (more than 25) or were hidden. */
  dropped: number;
}

const STYLES = new Set<number>([ButtonStyle.Primary, ButtonStyle.Secondary, ButtonStyle.Success, ButtonStyle.Danger]);

/**
 * MJ `buttons[]` → Discord action rows. Link buttons are dropped, `hide` filters buttons the
 * provider refuses, `extra` (the bot's own: Seed, ⭐) come last and keep their slots: on a card with more
 * Midjourney buttons than fit, the last Midjourney buttons are dropped instead.
 */
export function mapButtons(
  taskId: string,
  buttons: MjButton[],
  options: {
    hide?: (customId: string) => boolean;
    /** true: the button is blue (Primary); false: grey; undefined: as Midjourney styled it. */
    highlight?: (customId: string) => boolean | undefined;
    extra?: APIButtonComponent[];
  } = {},
): MappedButtons {
  const usable = buttons.filter((button) => !isLinkButton(button) && !options.hide?.(button.customId));
  const kept = usable.slice(0, MAX_BUTTONS - Math.min(options.extra?.length ?? 0, MAX_BUTTONS));
  const slots: ButtonSlot[] = [];
  const components: APIButtonComponent[] = kept.map((button, index) => {
    const emoji = readableEmoji(button.emoji);
    let label = button.label.trim().slice(0, MAX_LABEL);
    if (!label && !emoji) label = derivedLabel(button.customId);
    const key = buttonKey(taskId, index);
    slots.push({ key, customId: button.customId, label: label || derivedLabel(button.customId) });
    const highlight = options.highlight?.(button.customId);
    const style = highlight === undefined ? (STYLES.has(button.style) ? button.style : ButtonStyle.Secondary) : highlight ? ButtonStyle.Primary : ButtonStyle.Secondary;
    return {
      type: ComponentType.Button,
      style,
      custom_id: key,
      ...(label ? { label } : {}),
      ...(emoji ? { emoji: { name: emoji } } : {}),
    } as APIButtonComponent;
  });
  for (const extra of options.extra ?? []) if (components.length < MAX_BUTTONS) components.push(extra);
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < components.length; i += BUTTONS_PER_ROW) {
    rows.push({ type: ComponentType.ActionRow, components: components.slice(i, i + BUTTONS_PER_ROW) });
  }
  return { rows, slots, dropped: buttons.length - kept.length };
}
