import { classicButtons } from '../mj/classic';
import type { MjTask, TaskStatus } from '../mj/schemas';
import type { TaskView } from '../store/records';

export const emptyView = (status: TaskStatus = 'SUBMITTED', queuePosition?: number): TaskView => ({
  status,
  progress: 0,
  imageUrl: '',
  imageUrls: [],
  videoUrls: [],
  failReason: '',
  finalPrompt: '',
  description: '',
  buttons: [],
  action: '',
  queuePosition,
  startTime: undefined,
  finishTime: undefined,
});

const ORDER: Record<TaskStatus, number> = {
  NOT_START: 0,
  UNKNOWN: 0,
  // Remix mode can put a submitted task into MODAL, and the prompt sent from the modal puts it back to SUBMITTED.
  MODAL: 1,
  SUBMITTED: 1,
  IN_PROGRESS: 2,
  SUCCESS: 3,
  FAILURE: 3,
  CANCEL: 3,
};

/** Position of a state in a task's life, so late or duplicated reports never move a card backwards. */
export function rank(status: TaskStatus, progress: number): number {
  return ORDER[status] * 1000 + (status === 'IN_PROGRESS' ? progress : 0);
}

export function viewFromTask(task: MjTask, previous: TaskView): TaskView {
  return {
    status: task.status === 'UNKNOWN' ? previous.status : task.status,
    progress: task.progress,
    imageUrl: task.imageUrl || (task.status === 'IN_PROGRESS' ? previous.imageUrl : ''),
    imageUrls: task.imageUrls,
    videoUrls: task.videoUrls,
    failReason: task.failReason,
    finalPrompt: task.finalPrompt || task.promptEn,
    description: task.description,
    buttons: task.sendsNoButtons ? classicButtons(task) : task.buttons,
    ...(task.sendsNoButtons ? { classic: true } : {}),
    action: task.action || previous.action,
    // The queue position from the submit answer stays until the task starts.
    queuePosition: task.status === 'IN_PROGRESS' ? undefined : previous.queuePosition,
    startTime: task.startTime,
    finishTime: task.finishTime,
  };
}

/** Whether a member would see a difference (ignoring the fields only the final card uses). */
export function viewChanged(a: TaskView, b: TaskView): boolean {
  return (
    a.status !== b.status ||
    a.progress !== b.progress ||
    a.imageUrl !== b.imageUrl ||
    a.failReason !== b.failReason ||
    a.buttons.length !== b.buttons.length
  );
}
