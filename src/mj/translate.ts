/**
 * The API's descriptions are often Chinese. Members get the English meaning first and
 * the original text in brackets, so an admin can still search for it.
 */
const KNOWN: Array<[RegExp, string]> = [
  [/prompt不能为空|prompt is (required|empty)/i, 'the prompt is empty'],
  [/base64格式错误/, 'the image data is not valid'],
  [/base64不能为空|base64Array不能为空/, 'no image was sent'],
  [/关联任务不存在或已失效|task_no?t?_?found/i, 'the original task does not exist or has expired'],
  [/关联任务状态错误|task_status_not_success/i, 'the original task is not finished yet'],
  [/未知的\s*Action\s*类型|unknown_action/i, 'this action is not supported'],
  [/无可用的账号实例/, 'no Midjourney account is available'],
  [/队列已满|queue is full/i, 'the queue is full'],
  [/排队中，前面还有(\d+)个任务/, 'queued behind $1 tasks'],
  [/并发数已达上限/, 'the concurrency limit is reached'],
  [/队列数已达上限/, 'the queue limit is reached'],
  [/今日绘图次数已达上限/, 'the daily limit is reached'],
  [/账号已被临时封锁/, 'the account is temporarily blocked'],
  [/服务暂不可用/, 'the service is temporarily unavailable'],
  [/可能包含敏感词|banned prompt/i, 'the prompt may contain a banned word'],
  [/任务提交超时/, 'the task waited too long to start'],
  [/执行超时|任务超时|上游任务超时/, 'the task timed out'],
  [/当前分组负载已饱和/, 'the service is saturated'],
  [/禁止上传/, 'uploading images is disabled'],
  [/当前账号不支持编辑/, 'the Midjourney account of this service cannot edit images'],
  [/服务不支持|不支持/, 'not supported by this service'],
  [/quota_not_enough/i, 'the service account is out of credit'],
  [/取消任务/, 'the task was cancelled'],
  [/提交失败，系统异常|操作失败/, 'the service had an internal error'],
  [/提交成功/, 'submitted'],
];

export function explainApiText(raw: string): string {
  const text = raw.trim();
  if (!text) return '';
  for (const [pattern, meaning] of KNOWN) {
    const match = pattern.exec(text);
    if (match) {
      const english = meaning.replace('$1', match[1] ?? '');
      return /[\u4e00-\u9fff]/.test(text) ? `${english} (${text})` : english === text ? text : `${english}: ${text}`;
    }
  }
  return text;
}
