import type { CardState } from '../store/records';

/** The card shows its task's final state: it changes no more. */
export const isFinal = (state: CardState): boolean => state.kind === 'done' || state.kind === 'failed' || state.kind === 'cancelled';
