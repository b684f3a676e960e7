import type { TrackedTask } from '../../src/store';
import { stateOfView } from '../../src/tasks/card-state';
import { emptyView } from '../../src/tasks/view';

/**
 * A tracked task as the store holds it, for the pure render tests; `overrides` set what a test is about. Its state
 * is what its view says (as the tracker sets it on an answer) unless `overrides` sets one.
 */
export function trackedTask(overrides: Partial<TrackedTask> = {}): TrackedTask {
  const task: Omit<TrackedTask, 'state'> = {
    taskId: '1748339029401828',
    title: 'Imagine',
    prompt: 'a red fox **in** the snow @everyone',
    requesterId: '200000000000000001',
    mode: 'fast',
    parentTaskId: undefined,
    message: { guildId: '1', channelId: '2', messageId: undefined, interaction: undefined },
    submittedAt: 1_750_000_000_000,
    lastChangeAt: 1_750_000_000_000,
    view: emptyView(),
    renderedHash: undefined,
    lifecycle: 'tracked',
    files: [],
    ...overrides,
  };
  return { ...task, state: overrides.state ?? stateOfView(task.view) };
}
