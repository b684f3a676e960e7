import type { Reply } from './families';
import type { Ctx } from './request';

/**
 * `POST /v1/chat/completions`, as the providers that sell a chat API beside Midjourney answer it, with a small
 * phrase book instead of a model: the playground and the tests translate prompts offline. It translates the last
 * user message word by word (longest phrase first); what it does not know becomes `(?)`.
 */

const PHRASES: Readonly<Record<string, string>> = {
  一只: 'a',
  一个: 'a',
  一位: 'a',
  两只: 'two',
  // A phrase book, not a grammar: word order is right only where a whole phrase is in it.
  戴着围巾的猫: 'cat wearing a scarf',
  在雪地里: 'in the snow',
  戴着: 'wearing',
  穿着: 'wearing',
  围巾: 'scarf',
  帽子: 'hat',
  猫: 'cat',
  小猫: 'kitten',
  狗: 'dog',
  狐狸: 'fox',
  鸟: 'bird',
  龙: 'dragon',
  鱼: 'fish',
  女孩: 'girl',
  男孩: 'boy',
  机器人: 'robot',
  红色: 'red',
  蓝色: 'blue',
  绿色: 'green',
  白色: 'white',
  黑色: 'black',
  金色: 'golden',
  水彩画: 'watercolor painting',
  油画: 'oil painting',
  水墨画: 'ink painting',
  照片: 'photo',
  风格: 'style',
  雪地里: 'in the snow',
  雪: 'snow',
  森林: 'forest',
  海边: 'by the sea',
  城市: 'city',
  夜晚: 'night',
  日落: 'sunset',
  黄昏: 'dusk',
  灯塔: 'lighthouse',
  山: 'mountain',
  月亮: 'moon',
  花: 'flower',
  樱花: 'cherry blossoms',
  房子: 'house',
  可爱的: 'cute',
  美丽的: 'beautiful',
  在: 'in',
  和: 'and',
  的: '',
  ねこ: 'cat',
  고양이: 'cat',
  '，': ',',
  '、': ',',
  '。': '.',
  '！': '!',
  '？': '?',
  '：': ':',
};
const LONGEST = Math.max(...Object.keys(PHRASES).map((phrase) => phrase.length));
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** The phrase book's English of `text`: one line, words separated by spaces, punctuation after its word. */
function phraseBook(text: string): string {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i += 1;
      continue;
    }
    const phrase = Array.from({ length: LONGEST }, (_, n) => text.slice(i, i + LONGEST - n)).find((candidate) => candidate in PHRASES);
    if (phrase !== undefined) {
      if (PHRASES[phrase]) words.push(PHRASES[phrase]!);
      i += phrase.length;
    } else if (CJK.test(text[i]!)) {
      if (words.at(-1) !== '(?)') words.push('(?)');
      i += 1;
    } else {
      const run = /^[^\s]+?(?=\s|$|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}，、。！？：])/u.exec(text.slice(i))?.[0] ?? text[i]!;
      words.push(run);
      i += run.length;
    }
  }
  return words.join(' ').replace(/\s+([,.!?:])/g, '$1');
}

const openAiError = (status: number, message: string, type: string): Reply => ({ status, body: { error: { message, type, code: null } } });

/** The chat completion of the last user message, as OpenAI shapes it; 401 without the key when one is set. */
export function chatCompletion(ctx: Ctx, headers: Record<string, string>, body: unknown): Reply {
  const { apiKey } = ctx.s;
  if (apiKey && headers.authorization !== `Bearer ${apiKey}`) return openAiError(401, 'Invalid API key', 'invalid_request_error');
  const request = (body && typeof body === 'object' ? body : {}) as { model?: unknown; messages?: unknown };
  const messages = Array.isArray(request.messages) ? (request.messages as Array<{ role?: unknown; content?: unknown }>) : [];
  const asked = messages.filter((message) => message.role === 'user' && typeof message.content === 'string').at(-1)?.content as string | undefined;
  if (asked === undefined) return openAiError(400, 'messages must hold a user message', 'invalid_request_error');
  const content = phraseBook(asked);
  const created = Math.floor(ctx.s.clock() / 1000);
  return {
    status: 200,
    body: {
      id: `chatcmpl-sim-${created}`,
      object: 'chat.completion',
      created,
      model: typeof request.model === 'string' ? request.model : 'simulator',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: asked.length, completion_tokens: content.split(' ').length, total_tokens: asked.length + content.split(' ').length },
    },
  };
}
