import type { Logger } from '../logger';
import type { TrackedTask } from '../store';
import type { Upload } from './publisher';
import { downloadFile, fileExtension } from './results';

const MAX_FILES = 4;

/** The URLs worth attaching to a final card: the videos, else the images, else the grid. */
function resultUrls(task: TrackedTask): string[] {
  const { view } = task;
  if (view.videoUrls.length) return view.videoUrls;
  if (view.action === 'DESCRIBE' || view.action === 'SHORTEN') return [];
  if (view.imageUrls.length > 1) return view.imageUrls;
  return view.imageUrl ? [view.imageUrl] : view.imageUrls;
}

/**
 * Downloads the results of a finished task once, for re-upload as attachments. What does not fit
 * the upload limit (all files together) stays a link on the card.
 */
export async function collectResultFiles(
  task: TrackedTask,
  maxUploadBytes: number,
  logger: Logger,
): Promise<{ files: TrackedTask['files']; uploads: Upload[] }> {
  if (task.view.status !== 'SUCCESS') return { files: [], uploads: [] };
  const files: TrackedTask['files'] = [];
  const uploads: Upload[] = [];
  let budget = maxUploadBytes;
  for (const [index, url] of resultUrls(task).slice(0, MAX_FILES).entries()) {
    if (!/^https?:\/\//i.test(url)) continue;
    try {
      const download = await downloadFile(url, budget);
      if (!download) continue;
      budget -= download.data.length;
      const name = `mj-${task.taskId}${index ? `-${index + 1}` : ''}.${fileExtension(download.contentType, url)}`;
      files.push({ name, sourceUrl: url });
      uploads.push({ name, data: download.data, contentType: download.contentType });
    } catch (error) {
      logger.warn({ err: error, taskId: task.taskId }, 'result download failed: the card links it instead');
    }
  }
  return { files, uploads };
}
