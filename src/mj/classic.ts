import { midjourneyButton, type ActionInfo, type KnownAction } from './actions';
import type { MjButton, MjTask } from './schemas';

/**
 * The open-source midjourney-proxy (novicezk) sends no `buttons`: its grids are driven by `/mj/submit/change`
 * {taskId, action: UPSCALE | VARIATION | REROLL, index}. For those tasks the bot draws the buttons
 * Midjourney shows under a grid, with Midjourney's own customIds, and posts a change when one is clicked.
 */
const GRID_ACTIONS = /^(IMAGINE|BLEND|VARIATION|REROLL)$/;

export type ChangeAction = NonNullable<ActionInfo['change']>['action'];

const button = (action: KnownAction, hash: string): MjButton => ({ ...midjourneyButton(action, hash), style: 2, type: 2 });

/**
 * For a finished task from a server that sends no buttons: U1–U4, reroll and V1–V4 under a grid; 1️⃣–4️⃣ under a
 * describe (PicReader N, which the bot starts as a plain /imagine of that prompt); [] for anything else.
 */
export function classicButtons(task: MjTask): MjButton[] {
  if (!task.sendsNoButtons || task.status !== 'SUCCESS') return [];
  const indexes = [1, 2, 3, 4];
  if (task.action === 'DESCRIBE') return indexes.map((index) => button({ kind: 'describe-prompt', index }, ''));
  if (!GRID_ACTIONS.test(task.action)) return [];
  const hash = typeof task.properties.messageHash === 'string' && task.properties.messageHash ? task.properties.messageHash : task.id;
  return [
    ...indexes.map((index) => button({ kind: 'upscale', index }, hash)),
    button({ kind: 'reroll' }, hash),
    ...indexes.map((index) => button({ kind: 'variation', index }, hash)),
  ];
}

