import type { Reply } from './families';
import type { SimCall } from './sim-server';
import type { TaskView } from './tasks';
import type { SimTaskRecord } from './sim-types';

/**
 * The seam test tooling builds on (test/support/simulator.ts: the request log, injected faults, down mode, and the
 * switches tests flip: queue limits, failures, stalls, provider quirks, callbacks out of order). The simulator itself
 * only serves the API; every hook is optional, and none knows of a particular switch.
 */
export interface SimHooks {
  /**
   * Sees every request and answers it, usually by calling `normal` (with the call as read, or a changed one);
   * 'destroy' drops the connection.
   */
  around?(call: SimCall, normal: (call?: SimCall) => Promise<Reply>): Promise<Reply | 'destroy'>;
  /** A task entering the queue: may change it (when it starts, how long it runs). */
  queued?(task: SimTaskRecord): void;
  /**
   * What a task shows at `now`, wherever it is read (fetches, lists, callbacks, the checks on a parent task);
   * `own(at)` is the simulator's own answer at any time `at`.
   */
  view?(task: SimTaskRecord, now: number, own: (at: number) => TaskView): TaskView;
  /** A notifyHook callback that is due: `send(body)` posts it (now, later, twice, changed, or never). */
  callback?(callback: SimCallback, send: (body: string) => void): void;
}

/**
 * One notifyHook callback: the task's JSON for `url`.
 * @public
 */
export interface SimCallback {
  task: SimTaskRecord;
  url: string;
  body: string;
}
