/**
 * The Midjourney action catalogue: the one place that knows the formats of Midjourney's button `customId`s
 * (the button catalogue of the midjourney-proxy API family). A `customId` is parsed once into a typed action; its label, the
 * title of the card it starts, whether it needs a prompt or a mask, whether remix mode holds it for a prompt,
 * the open-source proxy's `/submit/change` body, whether resellers refuse it and whether it can fall back to a
 * plain /imagine all derive from that action. A new Midjourney button is one row in CATALOGUE (and, to be drawn and
 * sent by the built-in simulator, a case in midjourneyButton and a place in RESULT_BUTTONS).
 */

import type { Text } from '../i18n';

type Motion = 'high' | 'low';

export type MjAction =
  | { kind: 'upscale'; index: number }
  | { kind: 'variation'; index: number }
  | { kind: 'reroll' }
  | { kind: 'upscale-more'; variant: string }
  | { kind: 'vary'; strength: 'subtle' | 'strong' }
  | { kind: 'inpaint' }
  | { kind: 'zoom-out'; factor: '2x' | '1.5x' | 'square' }
  | { kind: 'zoom-custom' }
  | { kind: 'pan'; direction: 'left' | 'right' | 'up' | 'down' }
  | { kind: 'animate'; motion: Motion }
  | { kind: 'video-extend'; motion: Motion }
  | { kind: 'video-upscale'; index: number }
  | { kind: 'bookmark' }
  | { kind: 'describe-prompt'; index: number }
  | { kind: 'describe-all' }
  | { kind: 'describe-retry' }
  | { kind: 'shorten-prompt'; index: number }
  | { kind: 'shorten-details' }
  | { kind: 'other'; name: string };

type ActionKind = MjAction['kind'];

/** What a click on the action asks of the member before anything is sent. */
export type PromptNeed = { form: 'zoom' } | { form: 'describe' | 'shorten'; index: number };

/** Everything the bot does differently per action. */
export interface ActionInfo {
  /** The button's label when Midjourney sends none (or only a custom emoji). */
  label: string;
  /** The title of the card the click starts, in the card's language. */
  title: Text;
  /** Makes the same result every time: once per card (U1–U4). */
  oneShot: boolean;
  /** Opens a prompt form first (a modal must be the first answer to the click). */
  prompt: PromptNeed | undefined;
  /** Needs a mask painted on the image (Vary (Region)). */
  mask: boolean;
  /** In remix mode Midjourney holds it for a prompt (the card then offers Edit prompt). */
  remix: boolean;
  /** The open-source proxy's `/submit/change` body, for the buttons it understands. */
  change: { action: 'UPSCALE' | 'VARIATION' | 'REROLL'; index?: number } | undefined;
  /** new-api based resellers refuse it on /submit/action. */
  refusedByResellers: boolean;
  /** Where refused, the chosen prompt can still be started as a plain /imagine (describe and shorten prompts). */
  imagineFallback: boolean;
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
const HASH = /^[0-9a-f-]{20,}$/i;

interface Row {
  pattern: RegExp;
  parse(match: RegExpExecArray): MjAction;
}

/** customId formats, most specific first. */
const CATALOGUE: Row[] = [
  { pattern: /^MJ::JOB::upsample::([1-4])::/i, parse: (m) => ({ kind: 'upscale', index: Number(m[1]) }) },
  { pattern: /^MJ::JOB::variation::([1-4])::/i, parse: (m) => ({ kind: 'variation', index: Number(m[1]) }) },
  { pattern: /^MJ::JOB::reroll::/i, parse: () => ({ kind: 'reroll' }) },
  { pattern: /^MJ::JOB::upsample_v\w*?_2x_(subtle|creative)::/i, parse: (m) => ({ kind: 'upscale-more', variant: capitalise(m[1]!) }) },
  { pattern: /^MJ::JOB::upsample_v\w*?_(\dx)::/i, parse: (m) => ({ kind: 'upscale-more', variant: m[1]!.toLowerCase() }) },
  { pattern: /^MJ::JOB::low_variation::/i, parse: () => ({ kind: 'vary', strength: 'subtle' }) },
  { pattern: /^MJ::JOB::high_variation::/i, parse: () => ({ kind: 'vary', strength: 'strong' }) },
  { pattern: /^MJ::Inpaint::/i, parse: () => ({ kind: 'inpaint' }) },
  { pattern: /^MJ::Outpaint::50::/i, parse: () => ({ kind: 'zoom-out', factor: '2x' }) },
  { pattern: /^MJ::Outpaint::75::/i, parse: () => ({ kind: 'zoom-out', factor: '1.5x' }) },
  { pattern: /^MJ::Outpaint::100::/i, parse: () => ({ kind: 'zoom-out', factor: 'square' }) },
  { pattern: /^MJ::CustomZoom::/i, parse: () => ({ kind: 'zoom-custom' }) },
  { pattern: /^MJ::JOB::pan_(left|right|up|down)::/i, parse: (m) => ({ kind: 'pan', direction: m[1]!.toLowerCase() as 'left' }) },
  { pattern: /^MJ::JOB::animate_(high|low)_extend::/i, parse: (m) => ({ kind: 'video-extend', motion: m[1]!.toLowerCase() as Motion }) },
  { pattern: /^MJ::JOB::animate_(high|low)::/i, parse: (m) => ({ kind: 'animate', motion: m[1]!.toLowerCase() as Motion }) },
  { pattern: /^MJ::JOB::video_virtual_upscale::(\d)::/i, parse: (m) => ({ kind: 'video-upscale', index: Number(m[1]) }) },
  { pattern: /^MJ::BOOKMARK::/i, parse: () => ({ kind: 'bookmark' }) },
  { pattern: /^MJ::Job::PicReader::all$/i, parse: () => ({ kind: 'describe-all' }) },
  { pattern: /^MJ::Job::PicReader::([1-9])$/i, parse: (m) => ({ kind: 'describe-prompt', index: Number(m[1]) }) },
  { pattern: /^MJ::Picread::Retry/i, parse: () => ({ kind: 'describe-retry' }) },
  { pattern: /^MJ::Job::PromptAnalyzerExtended::/i, parse: () => ({ kind: 'shorten-details' }) },
  { pattern: /^MJ::Job::PromptAnalyzer::.*::([1-9])$/i, parse: (m) => ({ kind: 'shorten-prompt', index: Number(m[1]) }) },
];

/** A Midjourney customId as a typed action; unknown formats are `other` with a readable name. */
export function parseAction(customId: string): MjAction {
  for (const row of CATALOGUE) {
    const match = row.pattern.exec(customId);
    if (match) return row.parse(match);
  }
  const name = customId.split('::').filter((part) => part && !HASH.test(part) && part !== 'SOLO' && !/^\d+$/.test(part)).pop() ?? 'Action';
  return { kind: 'other', name: name.replace(/_/g, ' ').slice(0, 80) };
}

const RESELLER_REFUSED = new Set<ActionKind>(['describe-prompt', 'describe-all', 'describe-retry', 'shorten-prompt', 'shorten-details', 'animate', 'video-extend', 'video-upscale', 'bookmark']);
const REMIX = new Set<ActionKind>(['variation', 'vary', 'reroll', 'pan', 'animate']);

function labelOf(action: MjAction): string {
  switch (action.kind) {
    case 'upscale':
      return `U${action.index}`;
    case 'variation':
      return `V${action.index}`;
    case 'reroll':
      return 'Reroll';
    case 'upscale-more':
      return `Upscale (${action.variant})`;
    case 'vary':
      return `Vary (${capitalise(action.strength)})`;
    case 'inpaint':
      return 'Vary (Region)';
    case 'zoom-out':
      return action.factor === 'square' ? 'Make Square' : `Zoom Out ${action.factor}`;
    case 'zoom-custom':
      return 'Custom Zoom';
    case 'pan':
      return `Pan ${action.direction}`;
    case 'animate':
      return `Animate (${capitalise(action.motion)} motion)`;
    case 'video-extend':
      return `Extend (${capitalise(action.motion)} motion)`;
    case 'video-upscale':
      return `U${action.index}`;
    case 'bookmark':
      return 'Bookmark';
    case 'describe-prompt':
    case 'shorten-prompt':
      return `Prompt ${action.index}`;
    case 'describe-all':
      return 'Imagine all';
    case 'describe-retry':
      return 'Retry';
    case 'shorten-details':
      return 'Show Details';
    case 'other':
      return action.name;
  }
}

/**
 * The title of the card a click starts. Midjourney's own label is the title of the buttons the catalogue does
 * not name (it is Midjourney's word, the same in every language).
 */
function titleOf(action: MjAction, label: string): Text {
  switch (action.kind) {
    case 'upscale':
      return (t) => t.titles.upscale(action.index);
    case 'variation':
      return (t) => t.titles.variation(action.index);
    case 'video-upscale':
      return (t) => t.titles.videoUpscale(action.index);
    case 'reroll':
      return (t) => t.titles.reroll;
    case 'pan':
      return (t) => t.titles.pan(action.direction);
    case 'describe-retry':
      return (t) => t.titles.describeRetry;
    case 'describe-all':
      return (t) => t.titles.describePrompt(1);
    case 'describe-prompt':
      return (t) => t.titles.describePrompt(action.index);
    case 'shorten-prompt':
      return (t) => t.titles.shortenPrompt(action.index);
    case 'zoom-custom':
      return (t) => t.titles.customZoom;
    case 'inpaint':
      return (t) => t.titles.varyRegion;
    default: {
      const title = label || labelOf(action);
      return () => title;
    }
  }
}

function changeOf(action: MjAction): ActionInfo['change'] {
  if (action.kind === 'upscale') return { action: 'UPSCALE', index: action.index };
  if (action.kind === 'variation') return { action: 'VARIATION', index: action.index };
  if (action.kind === 'reroll') return { action: 'REROLL' };
  return undefined;
}

function promptOf(action: MjAction): PromptNeed | undefined {
  if (action.kind === 'zoom-custom') return { form: 'zoom' };
  if (action.kind === 'describe-prompt') return { form: 'describe', index: action.index };
  if (action.kind === 'shorten-prompt') return { form: 'shorten', index: action.index };
  return undefined;
}

/** What a button does, whether known parsed (a stored button target keeps its parse) or by its customId. */
export type ActionSource = MjAction | string | { action?: MjAction | undefined; customId: string };

/** The action of a customId or of a stored button target (targets saved before they kept the parse: parsed now). */
export function actionOf(source: ActionSource): MjAction {
  if (typeof source === 'string') return parseAction(source);
  return 'kind' in source ? source : (source.action ?? parseAction(source.customId));
}

/** What the bot knows about an action; `label` is the button's own label, if it had one. */
export function actionInfo(source: ActionSource, label = ''): ActionInfo {
  const action = actionOf(source);
  return {
    label: labelOf(action),
    title: titleOf(action, label),
    oneShot: action.kind === 'upscale',
    prompt: promptOf(action),
    mask: action.kind === 'inpaint',
    remix: REMIX.has(action.kind),
    change: changeOf(action),
    refusedByResellers: RESELLER_REFUSED.has(action.kind),
    imagineFallback: action.kind === 'describe-prompt' || action.kind === 'shorten-prompt',
  };
}

/** Every action the catalogue names (all but `other`). */
export type KnownAction = Exclude<MjAction, { kind: 'other' }>;

/** A button as Midjourney sends it: its customId, its own label (often none) and emoji. */
export interface MidjourneyButton {
  customId: string;
  label: string;
  emoji: string;
}

const KEYCAPS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣'];
const ARROWS = { left: '⬅️', right: '➡️', up: '⬆️', down: '⬇️' } as const;
const OUTPAINT = { '2x': 50, '1.5x': 75, square: 100 } as const;

/**
 * The button Midjourney shows for `action` under the message `hash` (describe buttons name no message): the
 * customId the CATALOGUE reads back as `action`. The bot draws these for a server that sends no buttons
 * (classic.ts), and the built-in simulator sends them.
 */
export function midjourneyButton(action: KnownAction, hash: string): MidjourneyButton {
  const button = (customId: string, label = '', emoji = ''): MidjourneyButton => ({ customId, label, emoji });
  switch (action.kind) {
    case 'upscale':
      return button(`MJ::JOB::upsample::${action.index}::${hash}`, `U${action.index}`);
    case 'variation':
      return button(`MJ::JOB::variation::${action.index}::${hash}`, `V${action.index}`);
    case 'reroll':
      return button(`MJ::JOB::reroll::0::${hash}::SOLO`, '', '🔄');
    case 'upscale-more': {
      // Subtle and Creative are the v7 upscalers; 2x and 4x the v5 ones.
      const model = /^\dx$/.test(action.variant) ? `v5_${action.variant}` : `v7_2x_${action.variant.toLowerCase()}`;
      return button(`MJ::JOB::upsample_${model}::1::${hash}::SOLO`, labelOf(action), 'upscale_1');
    }
    case 'vary':
      return button(`MJ::JOB::${action.strength === 'strong' ? 'high' : 'low'}_variation::1::${hash}::SOLO`, labelOf(action), '🪄');
    case 'inpaint':
      return button(`MJ::Inpaint::1::${hash}::SOLO`, labelOf(action), '🖌️');
    case 'zoom-out':
      return button(`MJ::Outpaint::${OUTPAINT[action.factor]}::1::${hash}::SOLO`, labelOf(action), action.factor === 'square' ? '↔️' : '🔍');
    case 'zoom-custom':
      return button(`MJ::CustomZoom::${hash}`, labelOf(action), '🔍');
    case 'pan':
      return button(`MJ::JOB::pan_${action.direction}::1::${hash}::SOLO`, '', ARROWS[action.direction]);
    case 'animate':
      return button(`MJ::JOB::animate_${action.motion}::1::${hash}::SOLO`, labelOf(action), '🎞️');
    case 'video-extend':
      return button(`MJ::JOB::animate_${action.motion}_extend::1::${hash}`, labelOf(action), '🎞️');
    case 'video-upscale':
      return button(`MJ::JOB::video_virtual_upscale::${action.index}::${hash}`, labelOf(action));
    case 'bookmark':
      return button(`MJ::BOOKMARK::${hash}`, '', '❤️');
    case 'describe-prompt':
      return button(`MJ::Job::PicReader::${action.index}`, '', KEYCAPS[action.index - 1]);
    case 'describe-all':
      return button('MJ::Job::PicReader::all', labelOf(action), '🎉');
    case 'describe-retry':
      return button('MJ::Picread::Retry', '', '🔄');
    case 'shorten-prompt':
      return button(`MJ::Job::PromptAnalyzer::${hash}::SOLO::${action.index}`, '', KEYCAPS[action.index - 1]);
    case 'shorten-details':
      return button(`MJ::Job::PromptAnalyzerExtended::${hash}::SOLO`, labelOf(action));
  }
}

/** The kinds of result Midjourney puts buttons under. */
export type ResultKind = 'grid' | 'upscale' | 'upscale-more' | 'describe' | 'shorten' | 'shorten-details' | 'video' | 'video-upscale';

const ONE_TO_FOUR = [1, 2, 3, 4] as const;
const AFTER_UPSCALE: readonly KnownAction[] = [
  { kind: 'vary', strength: 'subtle' },
  { kind: 'vary', strength: 'strong' },
  { kind: 'inpaint' },
  { kind: 'zoom-out', factor: '2x' },
  { kind: 'zoom-out', factor: '1.5x' },
  { kind: 'zoom-custom' },
  ...(['left', 'right', 'up', 'down'] as const).map((direction): KnownAction => ({ kind: 'pan', direction })),
  { kind: 'animate', motion: 'high' },
  { kind: 'animate', motion: 'low' },
  { kind: 'bookmark' },
];
const SHORTENED: readonly KnownAction[] = [1, 2, 3, 4, 5].map((index): KnownAction => ({ kind: 'shorten-prompt', index }));

/**
 * The buttons Midjourney (v7) shows under each kind of result, in its order: what a server that relays them sends
 * (the built-in simulator sends exactly these). Midjourney's older buttons (Make Square, the v5 upscalers) are
 * read by the CATALOGUE but no longer shown.
 */
export const RESULT_BUTTONS: Readonly<Record<ResultKind, readonly KnownAction[]>> = {
  grid: [
    ...ONE_TO_FOUR.map((index): KnownAction => ({ kind: 'upscale', index })),
    { kind: 'reroll' },
    ...ONE_TO_FOUR.map((index): KnownAction => ({ kind: 'variation', index })),
  ],
  upscale: [{ kind: 'upscale-more', variant: 'Subtle' }, { kind: 'upscale-more', variant: 'Creative' }, ...AFTER_UPSCALE],
  // An upscale of an upscale cannot be upscaled again.
  'upscale-more': AFTER_UPSCALE,
  describe: [...ONE_TO_FOUR.map((index): KnownAction => ({ kind: 'describe-prompt', index })), { kind: 'describe-retry' }, { kind: 'describe-all' }],
  shorten: [...SHORTENED, { kind: 'shorten-details' }],
  'shorten-details': SHORTENED,
  video: [...ONE_TO_FOUR.map((index): KnownAction => ({ kind: 'video-upscale', index })), { kind: 'reroll' }],
  'video-upscale': [
    { kind: 'video-extend', motion: 'high' },
    { kind: 'video-extend', motion: 'low' },
  ],
};
