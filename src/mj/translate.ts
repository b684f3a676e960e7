import type { Messages } from '../i18n';

/**
 * The API's descriptions and fail reasons are often Chinese. A zh-CN reader sees them as they are; other readers
 * get the meaning in their language first and the original text in brackets, so an admin can still search for it.
 */
/** A fail reason that says the prompt was banned: trueai's Chinese, Midjourney's own words, new-api's code. */
const BANNED_REASON = /可能包含敏感词|banned[ _]prompt/i;

/** Whether the API failed a task because its prompt is banned (a strike for the member, src/limits/strikes.ts). */
export const isBannedReason = (reason: string): boolean => BANNED_REASON.test(reason);

const KNOWN: Array<[RegExp, (t: Messages, match: RegExpExecArray) => string]> = [
  [/prompt不能为空|prompt is (required|empty)/i, (t) => t.mj.reasons.promptEmpty],
  [/base64格式错误/, (t) => t.mj.reasons.badImage],
  [/base64不能为空|base64Array不能为空/, (t) => t.mj.reasons.noImage],
  [/关联任务不存在或已失效|task_no?t?_?found/i, (t) => t.mj.reasons.taskGone],
  [/关联任务状态错误|task_status_not_success/i, (t) => t.mj.reasons.taskNotDone],
  [/未知的\s*Action\s*类型|unknown_action/i, (t) => t.mj.reasons.unknownAction],
  [/无可用的账号实例/, (t) => t.mj.reasons.noAccount],
  [/队列已满|queue is full/i, (t) => t.mj.reasons.queueFull],
  [/排队中，前面还有(\d+)个任务/, (t, match) => t.mj.reasons.queuedBehind(match[1] ?? '')],
  [/并发数已达上限/, (t) => t.mj.reasons.concurrency],
  [/队列数已达上限/, (t) => t.mj.reasons.queueLimit],
  [/今日绘图次数已达上限/, (t) => t.mj.reasons.dailyLimit],
  [/账号已被临时封锁/, (t) => t.mj.reasons.accountBlocked],
  [/服务暂不可用/, (t) => t.mj.reasons.unavailable],
  [BANNED_REASON, (t) => t.mj.reasons.bannedWord],
  [/任务提交超时/, (t) => t.mj.reasons.startTimeout],
  [/执行超时|任务超时|上游任务超时/, (t) => t.mj.reasons.timeout],
  [/当前分组负载已饱和/, (t) => t.mj.reasons.saturated],
  [/禁止上传/, (t) => t.mj.reasons.uploadDisabled],
  [/当前账号不支持编辑/, (t) => t.mj.reasons.cannotEdit],
  [/服务不支持|不支持/, (t) => t.mj.reasons.unsupported],
  [/quota_not_enough/i, (t) => t.mj.reasons.noCredit],
  [/取消任务/, (t) => t.mj.reasons.cancelled],
  [/提交失败，系统异常|操作失败/, (t) => t.mj.reasons.internalError],
  [/提交成功/, (t) => t.mj.reasons.submitted],
];

const CHINESE = /[\u4e00-\u9fff]/;

/** The API's words for a reader of catalogue `t`. */
export function explainApiText(raw: string, t: Messages): string {
  const text = raw.trim();
  if (!text) return '';
  const chinese = CHINESE.test(text);
  if (chinese && t.locale === 'zh-CN') return text;
  for (const [pattern, meaning] of KNOWN) {
    const match = pattern.exec(text);
    if (match) {
      const said = meaning(t, match);
      if (chinese) return `${said} (${text})`;
      return said === text ? text : `${said}: ${text}`;
    }
  }
  return text;
}
