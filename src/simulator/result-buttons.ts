import { midjourneyButton, RESULT_BUTTONS } from '../mj/actions';
import type { ButtonSet } from './sim-types';

/** The buttons a finished task carries: Midjourney's, from the bot's own catalogue (src/mj/actions.ts). */

export interface SimButton {
  customId: string;
  emoji: string;
  label: string;
  type: 2;
  style: number;
}

/** The buttons a SUCCESS task of `set` carries; `h` is its messageHash. */
export function buttonsFor(set: ButtonSet, h: string): SimButton[] {
  if (set === 'none') return [];
  return RESULT_BUTTONS[set].map((action) => {
    const { customId, emoji, label } = midjourneyButton(action, h);
    return { customId, emoji, label, type: 2, style: 2 };
  });
}
