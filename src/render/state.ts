import type { TrackedTask } from '../store/types';

/** What a card shows, derived in one place from the API's status and the bot's own view of the task. */
export type CardState = 'waiting' | 'queued' | 'running' | 'needs-prompt' | 'stalled' | 'api-trouble' | 'done' | 'failed' | 'cancelled';

export function cardState(task: Pick<TrackedTask, 'view' | 'phase' | 'apiTrouble' | 'endReason'>): CardState {
  const { status, queuePosition } = task.view;
  if (status === 'SUCCESS') return 'done';
  if (status === 'CANCEL') return 'cancelled';
  if (status === 'FAILURE' || task.endReason) return 'failed';
  // Waiting for the member, not for Midjourney: never "stalled".
  if (status === 'MODAL') return 'needs-prompt';
  if (task.phase === 'stalled') return 'stalled';
  if (task.apiTrouble) return 'api-trouble';
  if (status === 'IN_PROGRESS') return 'running';
  // A queue answer (code 22) with no one ahead is still queued: next in line.
  return queuePosition !== undefined ? 'queued' : 'waiting';
}

/** The card shows its task's final state. */
export const isFinal = (state: CardState): boolean => state === 'done' || state === 'failed' || state === 'cancelled';
