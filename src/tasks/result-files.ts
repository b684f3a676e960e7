import type { Logger } from '../logger';
import { DownloadRefused, type Downloader } from '../net/downloader';
import { sniffFileType } from '../net/file-type';
import type { TrackedTask } from '../store';
import type { Upload } from './publisher';

const MAX_FILES = 4;

/** Every URL of a result the card could attach or link. */
function allResultUrls(task: TrackedTask): string[] {
  const { view } = task;
  return [...view.videoUrls, ...view.imageUrls, ...(view.imageUrl ? [view.imageUrl] : [])];
}

/** The URLs worth attaching to a final card: the videos, else the images, else the grid. */
function resultUrls(task: TrackedTask): string[] {
  const { view } = task;
  if (view.videoUrls.length) return view.videoUrls;
  if (view.action === 'DESCRIBE' || view.action === 'SHORTEN') return [];
  if (view.imageUrls.length > 1) return view.imageUrls;
  return view.imageUrl ? [view.imageUrl] : view.imageUrls;
}

export interface ResultFiles {
  files: TrackedTask['files'];
  uploads: Upload[];
  /** URLs the bot refused to fetch (not public, not an allowed origin): neither attached nor linked. */
  blocked: string[];
}

/**
 * Downloads the results of a finished task once, for re-upload as attachments. What does not fit the upload
 * limit (all files together) stays a link on the card; what is not an image or video by its bytes is not
 * attached; what points at an address the bot may not fetch is dropped and noted on the card.
 */
export async function collectResultFiles(
  task: TrackedTask,
  maxUploadBytes: number,
  downloader: Downloader,
  logger: Logger,
): Promise<ResultFiles> {
  const out: ResultFiles = { files: [], uploads: [], blocked: [] };
  if (task.state.kind !== 'done') return out;
  let budget = maxUploadBytes;
  for (const [index, url] of resultUrls(task).slice(0, MAX_FILES).entries()) {
    try {
      const data = await downloader.download(url, budget);
      if (!data) continue;
      const type = sniffFileType(data);
      if (!type) {
        logger.warn({ taskId: task.taskId }, 'a result is neither an image nor a video by its content: the card links it instead');
        continue;
      }
      budget -= data.length;
      // The name's extension comes from the bytes, never from the URL.
      const name = `mj-${task.taskId}${index ? `-${index + 1}` : ''}.${type.ext}`;
      out.files.push({ name, sourceUrl: url });
      out.uploads.push({ name, data, contentType: type.mime });
    } catch (error) {
      if (error instanceof DownloadRefused) {
        logger.warn({ taskId: task.taskId, reason: error.message }, 'result URL refused: not a public address nor an allowed origin (RESULT_ORIGINS)');
        out.blocked.push(url);
      } else {
        logger.warn({ err: error, taskId: task.taskId }, 'result download failed: the card links it instead');
      }
    }
  }
  // Links the card builds come only from URLs the bot would fetch itself.
  for (const url of allResultUrls(task)) {
    if (out.blocked.includes(url)) continue;
    const why = URL.canParse(url) ? downloader.refusal(new URL(url)) : 'not a URL';
    if (why) out.blocked.push(url);
  }
  return out;
}
