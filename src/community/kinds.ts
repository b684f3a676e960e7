import type { MjAction } from '../mj/actions';

/** The kinds `/history kind` filters by, in the order its choices are offered. */
export const HISTORY_KINDS = ['imagine', 'upscale', 'variation', 'region', 'zoom', 'pan', 'blend', 'describe', 'shorten', 'video', 'edit', 'swapface'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number] | 'other';

/** What each Midjourney button makes, as a member would file it: a re-roll or a chosen describe prompt is an imagine. */
const BY_ACTION: Record<MjAction['kind'], HistoryKind> = {
  upscale: 'upscale',
  'upscale-more': 'upscale',
  variation: 'variation',
  vary: 'variation',
  reroll: 'imagine',
  inpaint: 'region',
  'zoom-out': 'zoom',
  'zoom-custom': 'zoom',
  pan: 'pan',
  animate: 'video',
  'video-extend': 'video',
  'video-upscale': 'video',
  bookmark: 'other',
  'describe-prompt': 'imagine',
  'describe-all': 'imagine',
  'describe-retry': 'describe',
  'shorten-prompt': 'imagine',
  'shorten-details': 'shorten',
  other: 'other',
};

/**
 * The kind of a task for /history: from the button that started it, else from its command (`/imagine`: how the
 * start path names a command's task).
 */
export function historyKind(action: MjAction | undefined, kind: string): HistoryKind {
  if (action) return BY_ACTION[action.kind];
  const command = kind.replace(/^\//, '');
  return (HISTORY_KINDS as readonly string[]).includes(command) ? (command as HistoryKind) : 'other';
}
