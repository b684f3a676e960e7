import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLink, formatBytes, imageCap, MAX_IMAGE_BYTES, sniffImage } from '../src/discord/attachments';
import {
  blendDimensions,
  checkBlendCount,
  checkModalPrompt,
  checkOneSource,
  checkZoomPrompt,
  withZoom,
} from '../src/discord/input';
import { PROMPT_FIELD, prefillFor, promptModal } from '../src/discord/modals';
import { actionInfo } from '../src/mj/actions';
import { UserError } from '../src/errors';
import { messagesFor } from '../src/i18n';
import { checkPrompt } from '../src/mj/prompt';
import { PROVIDERS } from '../src/mj/providers';
import { createLogger } from '../src/logger';
import { testResolve } from './support/resolver';
import { emptyView } from '../src/tasks/view';

const en = messagesFor('en');
const H = '0ddb91a0-af46-4ae9-8e8e-c271074eb6e6';
/** Asserts a UserError whose message matches `pattern` (what the member is told). */
const refuses = (run: () => unknown, pattern: RegExp) =>
  assert.throws(run, (error: unknown) => error instanceof UserError && pattern.test(error.userMessage));

describe('input checks (before any API call)', () => {
  it('refuses empty prompts and prompts over the provider limit, per provider', () => {
    refuses(() => checkPrompt('   ', PROVIDERS.trueai), /prompt is empty/);
    refuses(() => checkPrompt(null, PROVIDERS.trueai), /prompt is empty/);
    assert.equal(checkPrompt('  a fox  ', PROVIDERS.trueai), 'a fox');
    const long = 'x'.repeat(4001);
    assert.equal(checkPrompt(long, PROVIDERS.trueai), long, 'self-hosted servers take 6000');
    refuses(() => checkPrompt(long, PROVIDERS['new-api']), /4,001 characters.*at most 4,000/);
  });

  it('needs two to five images for a blend', () => {
    refuses(() => checkBlendCount(0), /at least two images/);
    refuses(() => checkBlendCount(1), /at least two images/);
    refuses(() => checkBlendCount(6), /at most five/);
    assert.doesNotThrow(() => checkBlendCount(2));
    assert.doesNotThrow(() => checkBlendCount(5));
  });

  it('spells blend dimensions as the API does', () => {
    assert.equal(blendDimensions('portrait'), 'PORTRAIT');
    assert.equal(blendDimensions('square'), 'SQUARE');
    assert.equal(blendDimensions('landscape'), 'LANDSCAPE');
    assert.equal(blendDimensions(null), undefined);
    refuses(() => blendDimensions('round'), /portrait, square or landscape/);
  });

  it('describe takes exactly one of image and link', () => {
    refuses(() => checkOneSource(false, null), /Attach an image or give a link/);
    refuses(() => checkOneSource(false, '  '), /Attach an image or give a link/);
    refuses(() => checkOneSource(true, 'https://x/y.png'), /either an image or a link, not both/);
    assert.equal(checkOneSource(true, null), 'image');
    assert.equal(checkOneSource(false, 'https://x/y.png'), 'link');
  });

  it('takes http(s) links to public addresses only (the API fetches them from its own network)', async () => {
    const ctx = { resolve: testResolve, logger: createLogger({ level: 'silent' }) };
    const link = (url: string) => checkLink(ctx, url, (t) => t.images.theLink);
    const refused = (url: string, pattern: RegExp) =>
      assert.rejects(link(url), (error: unknown) => error instanceof UserError && pattern.test(error.userMessage), url);
    assert.equal(await link(' https://example.com/a.png '), 'https://example.com/a.png');
    assert.equal(await link('http://cdn.public.test/a.png'), 'http://cdn.public.test/a.png');
    assert.equal(await link('https://93.184.215.14/a.png'), 'https://93.184.215.14/a.png');
    for (const bad of ['ftp://example.com/a.png', 'file:///etc/passwd', 'javascript:alert(1)', 'example.com/a.png', 'https://']) {
      await refused(bad, /must be a web address starting with http/);
    }
    for (const inside of [
      'http://127.0.0.1:6379/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/a.png',
      'http://[::127.0.0.1]/a.png',
      'http://[::ffff:10.0.0.1]/a.png',
      'http://localhost/a.png',
      'http://metadata.google.internal/a.png',
      'http://db.private.test/a.png',
      'http://mixed.test/a.png',
      'http://nowhere.invalid/a.png',
    ]) {
      await refused(inside, /must point at a public web site/);
    }
  });

  it('recognises images by content, not by name', () => {
    assert.equal(sniffImage(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])), 'image/png');
    assert.equal(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
    assert.equal(sniffImage(Buffer.from('GIF89a....')), 'image/gif');
    assert.equal(sniffImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 ')), 'image/webp');
    assert.equal(sniffImage(Buffer.from('hello, I am a text file named cat.png')), undefined);
    assert.equal(sniffImage(Buffer.from('%PDF-1.7')), undefined);
  });

  it('caps uploads at MAX_UPLOAD_BYTES when that is below the API limit', () => {
    assert.equal(imageCap(1024), 1024);
    assert.equal(imageCap(100 * 1024 * 1024), MAX_IMAGE_BYTES);
    assert.equal(formatBytes(4096, en), '4 KB');
    assert.equal(formatBytes(50_000, en), '48.8 KB');
    assert.equal(formatBytes(8 * 1048576, en), '8 MB');
    assert.equal(formatBytes(12_345_678, en), '11.8 MB');
    assert.equal(formatBytes(100, en), '100 bytes');
  });
});

describe('modal prompts', () => {
  it('knows the buttons that always need a prompt', () => {
    assert.deepEqual(actionInfo(`MJ::CustomZoom::${H}`).prompt, { form: 'zoom' });
    assert.deepEqual(actionInfo('MJ::CustomZoom::1::1748339029401828').prompt, { form: 'zoom' });
    assert.deepEqual(actionInfo('MJ::Job::PicReader::3').prompt, { form: 'describe', index: 3 });
    assert.deepEqual(actionInfo(`MJ::Job::PromptAnalyzer::${H}::SOLO::5`).prompt, { form: 'shorten', index: 5 });
    for (const other of ['MJ::Job::PicReader::all', 'MJ::Picread::Retry', `MJ::Job::PromptAnalyzerExtended::${H}::SOLO`, `MJ::JOB::variation::1::${H}`, `MJ::Inpaint::1::${H}::SOLO`]) {
      assert.equal(actionInfo(other).prompt, undefined, other);
    }
  });

  it('Custom Zoom needs --zoom between 1 and 2', () => {
    assert.equal(checkZoomPrompt('a fox --zoom 1.5'), 'a fox --zoom 1.5');
    assert.doesNotThrow(() => checkZoomPrompt('a fox --zoom 1'));
    assert.doesNotThrow(() => checkZoomPrompt('a fox --zoom 2 --ar 3:2'));
    refuses(() => checkZoomPrompt('a fox'), /needs `--zoom`/);
    refuses(() => checkZoomPrompt('a fox --zoom 2.5'), /between 1 and 2 \(got `2\.5`\)/);
    refuses(() => checkZoomPrompt('a fox --zoom 0.5'), /between 1 and 2/);
    refuses(() => checkZoomPrompt('a fox --zoom'), /between 1 and 2 \(got `nothing`\)/);
    refuses(() => checkZoomPrompt('a fox --zoom --ar 3:2'), /between 1 and 2/);
    refuses(() => checkZoomPrompt('a fox --zoom big'), /between 1 and 2/);
    refuses(() => checkZoomPrompt('a fox --zoom 1.5 --zoom 3'), /got `3`/);
  });

  it('checks what was typed into a modal like any prompt, plus --zoom for zooms', () => {
    refuses(() => checkModalPrompt('  ', 'prompt', PROVIDERS.trueai), /prompt is empty/);
    refuses(() => checkModalPrompt('x'.repeat(4001), 'prompt', PROVIDERS.maxapi), /at most 4,000/);
    refuses(() => checkModalPrompt('a fox --zoom 3', 'zoom', PROVIDERS.trueai), /between 1 and 2/);
    assert.equal(checkModalPrompt(' a fox --zoom 3 ', 'prompt', PROVIDERS.trueai), 'a fox --zoom 3', 'only zooms check --zoom');
    assert.equal(checkModalPrompt('a fox --zoom 1.2', 'zoom', PROVIDERS.trueai), 'a fox --zoom 1.2');
  });

  it('prefills Custom Zoom with the prompt and --zoom 2, replacing an old factor', () => {
    assert.equal(withZoom('a fox --ar 3:2'), 'a fox --ar 3:2 --zoom 2');
    assert.equal(withZoom('a fox --zoom 1.5 --ar 3:2'), 'a fox --ar 3:2 --zoom 2');
    const parent = { prompt: 'a fox --zoom 1.1', view: emptyView('SUCCESS') };
    assert.equal(prefillFor({ form: 'zoom' }, parent), 'a fox --zoom 2');
  });

  it('prefills PicReader N and PromptAnalyzer N with that prompt of the result', () => {
    const described = { prompt: '', view: { ...emptyView('SUCCESS'), action: 'DESCRIBE', finalPrompt: '1️⃣ a cat --ar 1:1\n\n2️⃣ a dog --ar 1:1\n\n3️⃣ a bird\n\n4️⃣ a fish' } };
    assert.equal(prefillFor({ form: 'describe', index: 2 }, described), 'a dog --ar 1:1');
    assert.equal(prefillFor({ form: 'describe', index: 4 }, described), 'a fish');
    const shortened = {
      prompt: 'a long prompt',
      view: { ...emptyView('SUCCESS'), action: 'SHORTEN', finalPrompt: '## Important tokens\nfox, snow\n\n## Shortened prompts\n1️⃣ fox, snow\n\n2️⃣ fox\n\n## Details\nfox: 1.00' },
    };
    assert.equal(prefillFor({ form: 'shorten', index: 1 }, shortened), 'fox, snow');
    assert.equal(prefillFor({ form: 'shorten', index: 2 }, shortened), 'fox', 'the Details section is not part of the last prompt');
    assert.equal(prefillFor({ form: 'shorten', index: 5 }, shortened), '');
    assert.equal(prefillFor({ form: 'describe', index: 1 }, undefined), '');
  });

  it('builds a modal Discord accepts: title ≤ 45, one paragraph input, value within max_length', () => {
    const modal = promptModal('mjmodal:mj:1748339029401828:3', actionInfo('MJ::Job::PicReader::3').title(en), 'y'.repeat(5000), 'prompt', 6000, en);
    assert.ok(modal.title.length <= 45);
    assert.ok(modal.custom_id.length <= 100);
    const row = modal.components[0] as unknown as { components: Array<Record<string, unknown>> };
    const input = row.components[0]!;
    assert.equal(input.custom_id, PROMPT_FIELD);
    assert.equal(input.style, 2, 'paragraph');
    assert.equal(input.max_length, 4000, 'Discord allows at most 4000 characters');
    assert.equal((input.value as string).length, 4000);
    assert.ok((input.label as string).length <= 45);
    const empty = promptModal('x', 'Edit prompt', '   ', 'zoom', 4000, en);
    const emptyInput = (empty.components[0] as unknown as { components: Array<Record<string, unknown>> }).components[0]!;
    assert.equal('value' in emptyInput, false, 'no empty prefill');
    assert.match(emptyInput.label as string, /--zoom/);
  });
});
