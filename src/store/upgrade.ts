import type { CardState, Lifecycle, TrackedTask } from './records';

/** A task record as versions before the state union wrote it: what the card showed was spread over four fields. */
interface OldTask extends Omit<TrackedTask, 'state' | 'lifecycle'> {
  /** Display and tracking mixed: 'active' / 'stalled' while tracked, 'done' (final card delivered) or 'detached'. */
  phase: 'active' | 'stalled' | 'done' | 'detached';
  /** The bot's reason when it ended the task (the API gave none); the bot also set the view's status to FAILURE. */
  endReason?: string | undefined;
  apiTrouble?: boolean | undefined;
}

const isOld = (value: unknown): value is OldTask =>
  typeof value === 'object' && value !== null && 'phase' in value && !('state' in value) && 'view' in value;

/**
 * What the card of an old record showed: the old version's derivation, kept as it was (the live transitions in
 * src/tasks/card-state.ts may change; a record written then must still read as the card it had).
 */
function oldCardState(task: OldTask): CardState {
  const { status, queuePosition } = task.view;
  if (status === 'SUCCESS') return { kind: 'done' };
  if (status === 'CANCEL') return { kind: 'cancelled' };
  if (task.endReason) return { kind: 'failed', reason: task.endReason };
  if (status === 'FAILURE') return { kind: 'failed' };
  if (status === 'MODAL') return { kind: 'needs-prompt' };
  if (task.phase === 'stalled') return { kind: 'stalled' };
  if (task.apiTrouble) return { kind: 'api-trouble' };
  if (status === 'IN_PROGRESS') return { kind: 'running' };
  return queuePosition !== undefined ? { kind: 'queued', position: queuePosition } : { kind: 'waiting' };
}

const LIFECYCLES: Record<OldTask['phase'], Lifecycle> = { active: 'tracked', stalled: 'tracked', done: 'delivered', detached: 'detached' };

/**
 * A task record as this version reads it: records written before the state union (`phase`, `apiTrouble`,
 * `endReason`) are converted, anything else is returned as it is. Run on every read of the store's tasks
 * (store/index.ts), so no caller ever sees the old shape; the record is written in the new one at its next change.
 */
export function upgradeTask(value: unknown): unknown {
  if (!isOld(value)) return value;
  const { phase, endReason: _endReason, apiTrouble: _apiTrouble, ...rest } = value;
  return { ...rest, state: oldCardState(value), lifecycle: LIFECYCLES[phase] ?? 'tracked' } satisfies TrackedTask;
}
