import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorFromAnswer } from '../src/mj/client';
import { cleanUrl, parseProgress, submitResultSchema, taskSchema } from '../src/mj/schemas';
import { explainApiText } from '../src/mj/translate';
import { messagesFor } from '../src/i18n';

const docs = JSON.parse(readFileSync(new URL('./fixtures/provider-docs.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('task parsing (JSON examples from the providers\' docs)', () => {
  it('reads YEScale\'s IMAGINE SUCCESS with its nine buttons', () => {
    const task = taskSchema.parse(docs.yescaleImagine);
    assert.equal(task.id, '1730621826053455');
    assert.equal(task.status, 'SUCCESS');
    assert.equal(task.progress, 100);
    assert.equal(task.buttons.length, 9);
    assert.deepEqual(
      task.buttons.map((b) => b.label || b.emoji),
      ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4'],
    );
    assert.equal(task.buttons[1]?.customId, 'MJ::JOB::upsample::2::3785da15-4f70-4034-9128-f3ff1ac634fa');
    assert.match(task.imageUrl, /^https:\/\/cdnmjp\.oneabc\.org\//);
    assert.equal(task.finalPrompt, 'pig --v 6.1');
  });

  it('reads MaxAPI\'s task (reseller image proxy URL)', () => {
    const task = taskSchema.parse(docs.maxapiImagine);
    assert.equal(task.status, 'SUCCESS');
    assert.equal(task.imageUrl, 'https://www.doublegpt.io/mj/image/1710761946823501');
    assert.equal(task.finalPrompt, 'a sunny boy --relax --s 250 --style raw');
  });

  it('reads YEScale\'s VIDEO with imageUrls null and four videoUrls', () => {
    const task = taskSchema.parse(docs.yescaleVideo);
    assert.equal(task.action, 'VIDEO');
    assert.deepEqual(task.imageUrls, []);
    assert.equal(task.videoUrls.length, 4);
    assert.match(task.videoUrls[0] ?? '', /0_0\.mp4$/);
  });

  it('unwraps the markdown-rendered links of openai-hk\'s docs', () => {
    const video = taskSchema.parse(docs.openaiHkVideo);
    assert.equal(video.videoUrls[0], 'https://cdn.discordapp.com/video/5938067e-b820-4938-b3ad-69d81778cbc4/0_0.mp4');
    const edits = taskSchema.parse(docs.openaiHkEdits);
    assert.equal(edits.action, 'EDITS');
    assert.equal(edits.imageUrls.length, 4);
    assert.equal(edits.imageUrls[3], 'https://cdn.midjourney.com/1651da63-85c6-45c7-9679-f42381c73c78/0_3.png');
    assert.equal(cleanUrl('[https://a/b.png](https://a/b.png)&'), 'https://a/b.png');
  });

  it('accepts the reduced reseller task, numeric ids and missing fields', () => {
    const task = taskSchema.parse({ id: 1748339029401828, status: 'IN_PROGRESS', progress: '45%', buttons: null, properties: null });
    assert.equal(task.id, '1748339029401828');
    assert.equal(task.progress, 45);
    assert.deepEqual(task.buttons, []);
    assert.equal(task.imageUrl, '');
  });

  it('parses progress as a percent or text', () => {
    assert.equal(parseProgress('45%'), 45);
    assert.equal(parseProgress('Waiting to start'), 0);
    assert.equal(parseProgress(''), 0);
    assert.equal(parseProgress('100%'), 100);
    assert.equal(taskSchema.parse({ id: '1', status: 'IN_PROGRESS', progress: 'Waiting to start' }).progress, 0);
  });

  it('never takes FAILURE for success even when a reseller says 100%', () => {
    const task = taskSchema.parse({ id: '1', status: 'FAILURE', progress: '100%', failReason: '任务超时' });
    assert.equal(task.status, 'FAILURE');
    assert.equal(task.failReason, '任务超时');
  });

  it('reads submit results with the id as number or string', () => {
    assert.equal(String(submitResultSchema.parse(docs.submitNumericResult).result), '1320098173412546');
    assert.equal(submitResultSchema.parse(docs.submitStringResult).result, '1751352955547075');
  });
});

describe('API errors become one error type with a readable cause', () => {
  const answer = (status: number, body: unknown) => ({ status, body, text: JSON.stringify(body ?? '') });

  it('maps submit codes', () => {
    assert.equal(errorFromAnswer(answer(200, { code: 3, description: '无可用的账号实例' }), 'x').kind, 'not-found');
    assert.equal(errorFromAnswer(answer(200, { code: 4, description: 'prompt不能为空' }), 'x').kind, 'validation');
    assert.equal(errorFromAnswer(answer(200, { code: 9, description: '提交失败，队列已满，请稍后重试' }), 'x').kind, 'queue-full');
    assert.equal(errorFromAnswer(answer(200, { code: 23, description: 'queue full' }), 'x').kind, 'queue-full');
    const banned = errorFromAnswer(answer(200, { code: 24, description: 'banned', properties: { bannedWord: 'gore' } }), 'x');
    assert.equal(banned.kind, 'banned');
    assert.equal(banned.code, 24);
    assert.match(banned.userMessage, /“gore”/);
  });

  it('maps the other envelopes', () => {
    const limit = errorFromAnswer(answer(200, { success: false, code: -1, message: '并发数已达上限' }), 'x');
    assert.equal(limit.kind, 'limit');
    assert.match(limit.userMessage, /concurrency limit/);
    const na = errorFromAnswer(answer(400, { code: 4, description: 'unknown_action:MJ::Job::PicReader::1', type: 'upstream_error' }), 'x');
    assert.equal(na.kind, 'unsupported');
    assert.equal(na.httpStatus, 400);
    assert.equal(errorFromAnswer(answer(401, undefined), 'x').kind, 'auth');
    assert.equal(errorFromAnswer(answer(403, { error: { message: 'no' } }), 'x').kind, 'auth');
    assert.equal(errorFromAnswer(answer(429, { code: 30, description: '当前分组负载已饱和' }), 'x').kind, 'busy');
    assert.equal(errorFromAnswer(answer(502, undefined), 'x').kind, 'unavailable');
    assert.equal(errorFromAnswer(answer(200, undefined), 'x').kind, 'bad-response');
  });

  it('never shows raw JSON to a member', () => {
    const error = errorFromAnswer(answer(400, { code: 4, description: '关联任务状态错误', type: 'upstream_error' }), 'action');
    assert.doesNotMatch(error.userMessage, /[{}]/);
    assert.match(error.userMessage, /not finished yet/);
  });

  it('translates known Chinese descriptions and keeps the original', () => {
    assert.equal(explainApiText('排队中，前面还有3个任务', messagesFor('en')), 'queued behind 3 tasks (排队中，前面还有3个任务)');
    assert.equal(explainApiText('Something else', messagesFor('en')), 'Something else');
  });

  it('shows a Chinese reader the API\'s Chinese words as they are', () => {
    assert.equal(explainApiText('排队中，前面还有3个任务', messagesFor('zh-CN')), '排队中，前面还有3个任务');
  });
});
