import { messagesFor, type Text } from '../i18n';
import { isFinal } from '../render/state';
import type { CardState, TaskView, TrackedTask } from '../store/records';
import { viewChanged } from './view';

/** What happened to a task, as far as its card is concerned. */
export type StateEvent =
  /** A poll answered with this view of the task (already known not to go backwards). */
  | { kind: 'answered'; view: TaskView }
  /** A poll could not ask the API about the task (down, circuit open). */
  | { kind: 'unanswered' }
  /** What the API reports has not changed for STALL_AFTER_MS. */
  | { kind: 'quiet' }
  /** The bot ends a task the API gave no end for (timed out, vanished, no prompt sent); `reason` in the card's language. */
  | { kind: 'gave-up'; reason: string };

/** The bot gives up a task (the API gave no end for it), with `reason` in the card's language. */
export const gaveUp = (task: Pick<TrackedTask, 'locale'>, reason: Text): StateEvent => ({ kind: 'gave-up', reason: reason(messagesFor(task.locale ?? 'en')) });

/** What the API's view of a task alone says its card shows. */
export function stateOfView(view: TaskView): CardState {
  switch (view.status) {
    case 'SUCCESS':
      return { kind: 'done' };
    case 'CANCEL':
      return { kind: 'cancelled' };
    case 'FAILURE':
      return { kind: 'failed' };
    case 'MODAL':
      return { kind: 'needs-prompt' };
    case 'IN_PROGRESS':
      return { kind: 'running' };
    default:
      // A queue answer (code 22) with no one ahead is still queued: next in line.
      return view.queuePosition !== undefined ? { kind: 'queued', position: view.queuePosition } : { kind: 'waiting' };
  }
}

/**
 * A card's state after `event`: the only place it is worked out (the tracker writes what this returns). A final
 * state changes no more; when nothing changes the same object comes back, so `next !== task.state` says it moved.
 */
export function nextState(task: Pick<TrackedTask, 'state' | 'view'>, event: StateEvent): CardState {
  const { state } = task;
  if (isFinal(state)) return state;
  switch (event.kind) {
    case 'answered':
      // An answer after trouble is news even if the task did not move; a stalled task stays so until it moves.
      return viewChanged(task.view, event.view) || state.kind === 'api-trouble' ? stateOfView(event.view) : state;
    case 'unanswered':
      // Waiting for the member is not waiting for the API: that card keeps its Edit prompt button.
      return state.kind === 'needs-prompt' || state.kind === 'api-trouble' ? state : { kind: 'api-trouble' };
    case 'quiet':
      // Only a task the API answers for can be stalled: the member's prompt is waited for, API trouble already said.
      return state.kind === 'waiting' || state.kind === 'queued' || state.kind === 'running' ? { kind: 'stalled' } : state;
    case 'gave-up':
      return { kind: 'failed', reason: event.reason };
  }
}
