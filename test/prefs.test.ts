import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messagesFor } from '../src/i18n';
import { applyPrefs, prefFlags } from '../src/prefs/flags';
import { settingsPanel } from '../src/render/settings-panel';

describe('a member’s /settings and /prefer suffix on a prompt', () => {
  it('adds the settings after the prompt’s own text and parameters', () => {
    assert.equal(applyPrefs('a red fox --ar 3:2', { version: '7', stylize: 250, raw: true }), 'a red fox --ar 3:2 --v 7 --stylize 250 --style raw');
    assert.equal(applyPrefs('a red fox', { version: 'niji6' }), 'a red fox --niji 6');
  });

  it('lets the prompt’s own parameters win, under any of their names', () => {
    assert.equal(applyPrefs('a red fox --v 6.1 --s 50', { version: '7', stylize: 250 }), 'a red fox --v 6.1 --s 50');
    assert.equal(applyPrefs('a red fox --niji 6', { version: '7' }), 'a red fox --niji 6', '--niji is a version');
    assert.equal(applyPrefs('a red fox —v 6', { version: '7' }), 'a red fox --v 6', 'a phone’s dash counts as --');
    assert.equal(applyPrefs('a red fox --style raw', { raw: true }), 'a red fox --style raw');
  });

  it('puts the suffix’s text before every parameter and its parameters after the prompt’s', () => {
    const prefs = { suffix: 'watercolor --ar 16:9 --chaos 10', stylize: 100 };
    assert.equal(applyPrefs('a red fox --ar 1:1', prefs), 'a red fox watercolor --ar 1:1 --chaos 10 --stylize 100');
    assert.equal(applyPrefs('a red fox', prefs), 'a red fox watercolor --ar 16:9 --chaos 10 --stylize 100');
  });

  it('is idempotent: a prompt sent once (an edited remix prompt) does not get the suffix twice', () => {
    const prefs = { suffix: 'watercolor --ar 16:9', version: '7' };
    const once = applyPrefs('a red fox', prefs);
    assert.equal(applyPrefs(once, prefs), once);
  });

  it('leaves a prompt alone without preferences', () => {
    assert.equal(applyPrefs('a red fox --ar 3:2', undefined), 'a red fox --ar 3:2');
    assert.equal(applyPrefs('a red fox --ar 3:2', {}), 'a red fox --ar 3:2');
    assert.deepEqual(prefFlags({ variation: 'high', mode: 'relax' }), [], 'variation and mode are not prompt parameters');
  });
});

describe('the /settings panel', () => {
  const t = messagesFor('en');
  it('shows what is set and marks it in its controls', () => {
    const panel = settingsPanel({ prefs: { version: '6.1', stylize: 250, raw: true, variation: 'low', mode: 'relax' }, modes: ['relax', 'fast'], cappedAt: 'fast', translates: false }, t);
    assert.match(panel.content, /Model version: V6\.1/);
    assert.match(panel.content, /Stylize: high \(250\)/);
    assert.match(panel.content, /Raw style: on/);
    assert.match(panel.content, /Added to your prompts now: `--v 6\.1 --stylize 250 --style raw`/);
    assert.match(panel.content, /Your roles allow up to fast/);
    const components = panel.components.flatMap((row) => row.components) as unknown as Array<Record<string, unknown>>;
    const defaults = components.flatMap((c) => ((c.options as Array<{ value: string; default: boolean }>) ?? []).filter((o) => o.default).map((o) => `${String(c.custom_id)}=${o.value}`));
    assert.deepEqual(defaults, ['mjset:version=6.1', 'mjset:stylize=250', 'mjset:mode=relax']);
    const mode = components.find((c) => c.custom_id === 'mjset:mode') as { options: Array<{ value: string }> };
    assert.deepEqual(mode.options.map((o) => o.value), ['default', 'relax', 'fast'], 'no turbo beyond the cap');
    assert.ok(panel.components.length <= 5 && panel.components.every((row) => row.components.length <= 5), 'Discord’s limits');
    assert.doesNotMatch(panel.content, /Translate my prompts/, 'no translation choice where nothing is translated');
  });

  it('offers the translation choice where prompts are translated, within Discord’s five rows', () => {
    const panel = settingsPanel({ prefs: { translate: 'ask' }, modes: ['relax', 'fast', 'turbo'], cappedAt: undefined, translates: true }, t);
    assert.match(panel.content, /Translate my prompts: show me first/);
    const components = panel.components.flatMap((row) => row.components) as unknown as Array<Record<string, unknown>>;
    const translate = components.find((c) => c.custom_id === 'mjset:translate') as { options: Array<{ value: string; default: boolean }> };
    assert.deepEqual(translate.options.map((o) => `${o.value}${o.default ? '*' : ''}`), ['auto', 'ask*', 'never']);
    assert.equal(panel.components.length, 5);
    assert.match(settingsPanel({ prefs: {}, modes: [], cappedAt: undefined, translates: true }, messagesFor('zh-CN')).content, /翻译我的提示词：自动/);
  });
});
