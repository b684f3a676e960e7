import { buttonsFor } from './result-buttons';
import { DISCORD_CHANNEL_ID, DISCORD_INSTANCE_ID } from './families';
import type { TaskView } from './tasks';
import type { Settings, SimTaskRecord } from './sim-types';

/**
 * The task JSON each family returns from fetch / list / notifyHook:
 * open-source = NZ Task, trueai = TA TaskInfo (superset), reseller = new-api's reduced MidjourneyDto.
 */

const absolute = (baseUrl: string, path: string) => (path.startsWith('/') ? `${baseUrl}${path}` : path);

export function taskJson(record: SimTaskRecord, view: TaskView, s: Settings, baseUrl: string): Record<string, unknown> {
  const success = view.status === 'SUCCESS';
  const started = view.status === 'IN_PROGRESS' || success;
  const textResult = record.output === 'describe' || record.output === 'shorten';
  const finalPrompt = textResult ? (success ? record.resultText : '') : started ? record.finalPrompt : '';
  const promptEn = record.output === 'describe' && success ? record.resultText : record.promptEn;
  const messageHash = started ? record.messageHash : '';
  const imageUrl = view.image ? absolute(baseUrl, view.image) : '';
  const videoUrls: Array<{ url: string }> = [];
  if (success && (record.output === 'video' || record.output === 'video-single')) {
    const count = record.output === 'video-single' ? 1 : record.batchSize;
    for (let i = 0; i < count; i++) videoUrls.push({ url: `${baseUrl}/videos/${record.id}/0_${i}.mp4` });
  }
  const videoUrl = record.output === 'video-single' ? (videoUrls[0]?.url ?? '') : '';

  if (s.family === 'open-source') {
    return {
      id: record.id,
      action: record.action,
      status: view.status,
      prompt: record.output === 'describe' && success ? record.resultText : record.prompt,
      promptEn,
      description: record.description,
      state: record.state || null,
      submitTime: record.submitTime,
      startTime: view.startTime ?? null,
      finishTime: view.finishTime ?? null,
      imageUrl: imageUrl || null,
      progress: view.progress,
      failReason: view.failReason || null,
      properties: {
        notifyHook: record.notifyHook ?? null,
        finalPrompt: finalPrompt || null,
        messageId: started ? `${record.id.slice(0, 15)}0` : null,
        messageHash: messageHash || null,
        progressMessageId: started ? `${record.id.slice(0, 15)}1` : null,
        flags: 0,
        nonce: record.id,
        discordInstanceId: DISCORD_INSTANCE_ID,
      },
    };
  }

  const buttons = success ? buttonsFor(record.buttonSet, record.messageHash) : [];
  const tileUrls = (): Array<{ url: string }> =>
    [0, 1, 2, 3].map((i) => ({ url: `${baseUrl}/images/${record.id}/0_${i}.png` }));
  const description = record.output === 'shorten' && success ? record.resultText : record.description;

  if (s.family === 'reseller') {
    return {
      id: record.id,
      action: record.action,
      customId: record.customId,
      botType: '',
      prompt: record.prompt,
      promptEn,
      description: record.output === 'shorten' && success ? record.resultText : 'Submit success',
      state: record.state,
      submitTime: record.submitTime,
      startTime: view.startTime ?? 0,
      finishTime: view.finishTime ?? 0,
      imageUrl,
      videoUrl,
      videoUrls,
      status: view.status,
      progress: view.progress,
      failReason: view.failReason,
      buttons,
      maskBase64: record.maskBase64,
      properties: { finalPrompt, finalZhPrompt: '' },
      // openai-hk returns the four pictures of an EDITS task (its docs' example); other tasks have no imageUrls.
      ...(record.output === 'edit' ? { imageUrls: success ? tileUrls() : [] } : {}),
    };
  }

  const imageUrls = success && record.output === 'edit' ? tileUrls() : [];
  const properties: Record<string, unknown> = {
    discordInstanceId: DISCORD_INSTANCE_ID,
    discordChannelId: DISCORD_CHANNEL_ID,
    finalPrompt,
    messageHash,
    messageId: started ? `${record.id.slice(0, 15)}0` : '',
    progressMessageId: started ? `${record.id.slice(0, 15)}1` : '',
    messageContent: started ? `**${record.finalPrompt}** - <@1118138338562560999> (${record.mode.toLowerCase()})` : '',
    nonce: record.id,
    flags: 0,
    notifyHook: record.notifyHook ?? '',
    botType: record.botType,
  };
  if (view.status === 'MODAL') properties.remix = true;
  if (record.customId) properties.custom_id = record.customId;
  return {
    id: record.id,
    parentId: record.parentId ?? null,
    action: record.action,
    customId: record.customId,
    botType: record.botType,
    prompt: record.prompt,
    promptEn,
    description,
    state: record.state,
    mode: record.mode,
    requestMode: record.mode,
    submitTime: record.submitTime,
    startTime: view.startTime ?? null,
    finishTime: view.finishTime ?? null,
    imageUrl,
    imageUrls,
    imageWidth: success && imageUrl ? record.width : 0,
    imageHeight: success && imageUrl ? record.height : 0,
    videoUrl,
    videoUrls,
    videoType: record.videoType || null,
    status: view.status,
    progress: view.progress,
    failReason: view.failReason,
    buttons,
    maskBase64: record.maskBase64,
    jobId: messageHash,
    properties,
  };
}
