import type { Mode } from './modes';
import type { MjClient, Submitted, SubmitCommon } from './client';
import { isMjApiError } from './errors';

/**
 * Midjourney's modal flow (see the API digest): an action that needs a prompt answers code 21 with a task held in
 * MODAL, and `/mj/submit/modal` sends the prompt. Behind new-api relays a 21 comes back as 1, so a 1 is checked
 * by fetching the task: this file is the one place that knows it.
 */

/** The answer as it really is: code 21 when the task it made waits for a prompt (MODAL), whatever the code said. */
export async function withModalCode(mj: MjClient, answer: Submitted): Promise<Submitted> {
  if (answer.code === 21) return answer;
  const task = await mj.fetchTask(answer.taskId).catch(() => undefined);
  return task?.status === 'MODAL' ? { ...answer, code: 21 } : answer;
}

/**
 * `/mj/submit/action`, then `/mj/submit/modal` with the prompt (and the region editor's mask) on the task the
 * action left in MODAL. A task that is not MODAL was confirmed by the provider itself.
 */
export async function actionThenModal(
  mj: MjClient,
  target: { taskId: string; customId: string },
  prompt: string,
  common: SubmitCommon,
  mode: Mode | undefined,
  mask?: string,
): Promise<Submitted> {
  const opened = await withModalCode(mj, await mj.submitAction({ taskId: target.taskId, customId: target.customId, ...common }, mode));
  if (opened.code !== 21) {
    mj.options.logger.info({ taskId: opened.taskId, customId: target.customId }, 'the provider confirmed the prompt itself (no modal)');
    return opened;
  }
  try {
    const confirmed = await mj.submitModal({ taskId: opened.taskId, prompt, ...(mask ? { maskBase64: mask } : {}), ...common }, mode);
    return { ...confirmed, taskId: confirmed.taskId || opened.taskId };
  } catch (error) {
    // The task exists and waits for its prompt: rather than lose it, its card offers "Edit prompt" to send it again.
    if (!isMjApiError(error) || !error.transient || mask) throw error;
    mj.options.logger.warn({ err: error, taskId: opened.taskId }, 'modal submit failed; the card offers Edit prompt');
    return { ...opened, code: 21 };
  }
}
