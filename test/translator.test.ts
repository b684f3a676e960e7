import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/logger';
import { Downloader, DownloadRefused } from '../src/net/downloader';
import { Scrubber } from '../src/secrets';
import { ChatTranslator, joinParts, promptParts, TranslationFailed } from '../src/translator';
import { testResolve } from './support/resolver';
import { startTestSimulator, type TestSimulator } from './support/simulator';

const KEY = 'translator-key-for-tests-0123456789';
const logger = createLogger({ level: 'silent', pretty: false });

/** The parts a translator gets, and the prompt back with each replaced by `[its text]`. */
function split(prompt: string): { translated: string[]; joined: string } {
  const parts = promptParts(prompt);
  assert.equal(parts.map((part) => part.text).join(''), prompt, 'the parts are the whole prompt');
  return { translated: parts.filter((p) => p.translate).map((p) => p.text), joined: joinParts(parts, (text) => `[${text}]`) };
}

describe('the parts of a prompt a translator may touch', () => {
  it('translates only the words: links at the start, parameters and their values stay byte for byte', () => {
    const { translated, joined } = split('https://example.com/ref.png 一只戴着围巾的猫，水彩画 --ar 3:2 --chaos 10 --no 红色');
    assert.deepEqual(translated, ['一只戴着围巾的猫，水彩画']);
    assert.equal(joined, 'https://example.com/ref.png [一只戴着围巾的猫，水彩画] --ar 3:2 --chaos 10 --no 红色');
  });

  it('keeps :: weights and {a, b} permutations, and translates each option', () => {
    const { translated, joined } = split('热狗::2 面包::-0.5 {红色, 蓝色}鸟');
    assert.deepEqual(translated, ['热狗', '面包', '红色', '蓝色', '鸟']);
    assert.equal(joined, '[热狗]::2 [面包]::-0.5 {[红色], [蓝色]} [鸟]', 'a space where English needs one after a permutation');
  });

  it('leaves English (and commas outside braces) alone, and finds kana and hangul', () => {
    assert.deepEqual(split('a fox, in the snow --ar 3:2').translated, []);
    assert.deepEqual(split('a fox, ねこ').translated, ['a fox, ねこ']);
    assert.deepEqual(split('고양이 —ar 2:3').translated, ['고양이'], 'a dash a phone typed starts the parameters too');
  });
});

describe('the chat translator against the simulator’s /v1/chat/completions', () => {
  let sim: TestSimulator;
  let translator: ChatTranslator;
  before(async () => {
    sim = await startTestSimulator({ apiKey: KEY });
    translator = new ChatTranslator({ url: sim.url, key: KEY, model: 'gpt-4o-mini', scrubber: new Scrubber([KEY]), logger, resolve: testResolve });
  });
  after(async () => {
    await translator.close();
    await sim.close();
  });

  const failure = async (text: string): Promise<TranslationFailed> => {
    const error = await translator.translate(text, 2_000).then(
      () => assert.fail('translated'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof TranslationFailed, String(error));
    return error;
  };

  it('sends the text alone with the key as a bearer token, the model and an instruction, and reads the English', async () => {
    sim.resetRequests();
    assert.equal(await translator.translate('一只戴着围巾的猫，水彩画', 5_000), 'a cat wearing a scarf, watercolor painting');
    const [request] = sim.requests;
    assert.equal(request?.path, '/v1/chat/completions');
    assert.equal(request?.headers.authorization, `Bearer ${KEY}`);
    const body = request?.body as { model: string; temperature: number; max_tokens: number; messages: Array<{ role: string; content: string }> };
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.temperature, 0);
    assert.ok(body.max_tokens > 0 && body.max_tokens <= 2048, 'the answer is bounded in tokens too');
    assert.deepEqual(body.messages.map((m) => m.role), ['system', 'user']);
    assert.match(body.messages[0]!.content, /English translation only/);
    assert.equal(body.messages[1]!.content, '一只戴着围巾的猫，水彩画');
  });

  it('takes a base URL that ends in /v1 as said once', async () => {
    const other = new ChatTranslator({ url: `${sim.url}/v1/`, key: KEY, model: 'm', scrubber: new Scrubber(), logger });
    try {
      sim.resetRequests();
      assert.equal(await other.translate('猫', 5_000), 'cat');
      assert.equal(sim.requests[0]?.path, '/v1/chat/completions');
    } finally {
      await other.close();
    }
  });

  it('refuses an error answer with the service’s words, scrubbed of the key', async () => {
    sim.injectNext({ pathIncludes: '/v1/chat' }, { status: 500, body: { error: { message: `upstream failed for key ${KEY}` } } });
    const error = await failure('猫');
    assert.equal(error.problem, 'unavailable');
    assert.match(error.message, /HTTP 500: upstream failed for key \[redacted\]/);
    assert.doesNotMatch(error.message, new RegExp(KEY));
  });

  it('refuses answers that are not an English translation: CJK left, empty, syntax added, not a completion, too large', async () => {
    const answer = (content: unknown) => ({ status: 200, body: { choices: [{ message: { role: 'assistant', content } }] } });
    for (const [content, why] of [
      ['猫', /not English/],
      ['  ', /empty/],
      [null, /empty/],
      ['a cat --ar 16:9', /syntax/],
      ['a cat::2', /syntax/],
      ['x'.repeat(500), /longer/],
    ] as const) {
      sim.injectNext({ pathIncludes: '/v1/chat' }, answer(content));
      const error = await failure('猫');
      assert.equal(error.problem, 'unusable', String(content));
      assert.match(error.message, why);
    }
    sim.injectNext({ pathIncludes: '/v1/chat' }, { status: 200, body: { text: 'a cat' } });
    assert.match((await failure('猫')).message, /not a chat completion/);
    sim.injectNext({ pathIncludes: '/v1/chat' }, { status: 200, rawBody: JSON.stringify({ choices: [{ message: { content: 'a'.repeat(70_000) } }] }) });
    assert.match((await failure('猫')).message, /larger than/);
  });

  it('strips the quotes models like to add, and keeps the answer on one line', async () => {
    sim.injectNext({ pathIncludes: '/v1/chat' }, { status: 200, body: { choices: [{ message: { content: '“a cat\n in a scarf”' } }] } });
    assert.equal(await translator.translate('猫', 2_000), 'a cat in a scarf');
  });

  it('gives up when the answer does not come in time', async () => {
    sim.injectNext({ pathIncludes: '/v1/chat' }, { delayMs: 1_000 });
    const started = Date.now();
    const error = await translator.translate('猫', 150).catch((caught: unknown) => caught);
    assert.ok(error instanceof TranslationFailed);
    assert.equal(error.problem, 'timeout');
    assert.ok(Date.now() - started >= 150, 'not before its time');
  });

  it('a wrong key is the service refusing, not a translation', async () => {
    const wrong = new ChatTranslator({ url: sim.url, key: 'not-the-key-at-all', model: 'm', scrubber: new Scrubber(), logger });
    try {
      const error = await wrong.translate('猫', 2_000).catch((caught: unknown) => caught);
      assert.ok(error instanceof TranslationFailed);
      assert.match(error.message, /HTTP 401: Invalid API key/);
    } finally {
      await wrong.close();
    }
  });
});

describe('the translator’s address rules (those of every outbound request)', () => {
  it('reaches a private address only as its configured origin', async () => {
    const sim = await startTestSimulator();
    const untrusted = new Downloader({ trustedOrigins: [], resolve: testResolve });
    try {
      const refused = await untrusted.post(`${sim.url}/v1/chat/completions`, { headers: {}, body: '{}', maxBytes: 1024, timeoutMs: 2_000 }).catch((caught: unknown) => caught);
      assert.ok(refused instanceof DownloadRefused, 'a private address that is not the configured origin is refused');
      const name = await untrusted.post('http://translator.private.test/v1/chat/completions', { headers: {}, body: '{}', maxBytes: 1024, timeoutMs: 2_000 }).catch((caught: unknown) => caught);
      assert.ok(name instanceof DownloadRefused, 'and so is a name that resolves to one');
      assert.equal(sim.requestCount(), 0, 'nothing reached it');
      const configured = new ChatTranslator({ url: sim.url, key: undefined, model: 'm', scrubber: new Scrubber(), logger });
      try {
        assert.equal(await configured.translate('狗', 2_000), 'dog', 'the configured origin is trusted (a proxy on the LAN)');
      } finally {
        await configured.close();
      }
    } finally {
      await untrusted.close();
      await sim.close();
    }
  });
});
