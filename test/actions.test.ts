import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { messagesFor } from '../src/i18n';
import { actionInfo as infoOf, midjourneyButton, parseAction, RESULT_BUTTONS, type ActionInfo, type KnownAction, type MjAction } from '../src/mj/actions';

const H = '0ddb91a0-af46-4ae9-8e8e-c271074eb6e6';
const ID = '1748339029401828';

type EnglishInfo = Omit<ActionInfo, 'title'> & { title: string };
type Expect = Partial<EnglishInfo> & { action: MjAction };
/** The catalogue's entry with its card title as an English reader sees it. */
const actionInfo = (action: MjAction, label?: string): EnglishInfo => {
  const info = infoOf(action, label);
  return { ...info, title: info.title(messagesFor('en')) };
};
const none = { oneShot: false, prompt: undefined, mask: false, remix: false, change: undefined, refusedByResellers: false, imagineFallback: false };

/** Every customId of the midjourney-proxy button catalogue and what it means. */
const TABLE: Array<[string, Expect]> = [
  ...[1, 2, 3, 4].map((i): [string, Expect] => [`MJ::JOB::upsample::${i}::${H}`, { action: { kind: 'upscale', index: i }, label: `U${i}`, title: `Upscale U${i}`, oneShot: true, change: { action: 'UPSCALE', index: i } }]),
  [`MJ::JOB::reroll::0::${H}::SOLO`, { action: { kind: 'reroll' }, label: 'Reroll', title: 'Reroll', remix: true, change: { action: 'REROLL' } }],
  ...[1, 2, 3, 4].map((i): [string, Expect] => [`MJ::JOB::variation::${i}::${H}`, { action: { kind: 'variation', index: i }, title: `Variation V${i}`, remix: true, change: { action: 'VARIATION', index: i } }]),
  [`MJ::JOB::upsample_v5_2x::1::${H}::SOLO`, { action: { kind: 'upscale-more', variant: '2x' }, label: 'Upscale (2x)' }],
  [`MJ::JOB::upsample_v5_4x::1::${H}::SOLO`, { action: { kind: 'upscale-more', variant: '4x' }, label: 'Upscale (4x)' }],
  [`MJ::JOB::upsample_v6_2x_subtle::1::${H}::SOLO`, { action: { kind: 'upscale-more', variant: 'Subtle' }, label: 'Upscale (Subtle)' }],
  [`MJ::JOB::upsample_v6r1_2x_creative::1::${H}::SOLO`, { action: { kind: 'upscale-more', variant: 'Creative' }, label: 'Upscale (Creative)' }],
  [`MJ::JOB::upsample_v7_2x_subtle::1::${H}::SOLO`, { action: { kind: 'upscale-more', variant: 'Subtle' } }],
  [`MJ::JOB::low_variation::1::${H}::SOLO`, { action: { kind: 'vary', strength: 'subtle' }, label: 'Vary (Subtle)', remix: true }],
  [`MJ::JOB::high_variation::1::${H}::SOLO`, { action: { kind: 'vary', strength: 'strong' }, label: 'Vary (Strong)', remix: true }],
  [`MJ::Inpaint::1::${H}::SOLO`, { action: { kind: 'inpaint' }, label: 'Vary (Region)', mask: true }],
  [`MJ::Outpaint::50::1::${H}::SOLO`, { action: { kind: 'zoom-out', factor: '2x' }, label: 'Zoom Out 2x' }],
  [`MJ::Outpaint::75::1::${H}::SOLO`, { action: { kind: 'zoom-out', factor: '1.5x' }, label: 'Zoom Out 1.5x' }],
  [`MJ::Outpaint::100::1::${H}::SOLO`, { action: { kind: 'zoom-out', factor: 'square' }, label: 'Make Square' }],
  [`MJ::CustomZoom::${H}`, { action: { kind: 'zoom-custom' }, label: 'Custom Zoom', title: 'Custom Zoom', prompt: { form: 'zoom' } }],
  [`MJ::CustomZoom::1::${ID}`, { action: { kind: 'zoom-custom' }, prompt: { form: 'zoom' } }],
  ...(['left', 'right', 'up', 'down'] as const).map((d): [string, Expect] => [`MJ::JOB::pan_${d}::1::${H}::SOLO`, { action: { kind: 'pan', direction: d }, label: `Pan ${d}`, title: `Pan ${d}`, remix: true }]),
  [`MJ::JOB::animate_high::1::${H}::SOLO`, { action: { kind: 'animate', motion: 'high' }, label: 'Animate (High motion)', remix: true, refusedByResellers: true }],
  [`MJ::JOB::animate_low::1::${H}::SOLO`, { action: { kind: 'animate', motion: 'low' }, remix: true, refusedByResellers: true }],
  [`MJ::BOOKMARK::${H}`, { action: { kind: 'bookmark' }, label: 'Bookmark', refusedByResellers: true }],
  ...[1, 2, 3, 4].map((i): [string, Expect] => [`MJ::Job::PicReader::${i}`, { action: { kind: 'describe-prompt', index: i }, title: `Imagine prompt ${i} (describe)`, prompt: { form: 'describe', index: i }, refusedByResellers: true, imagineFallback: true }]),
  ['MJ::Picread::Retry', { action: { kind: 'describe-retry' }, label: 'Retry', title: 'Describe (retry)', refusedByResellers: true }],
  ['MJ::Job::PicReader::all', { action: { kind: 'describe-all' }, label: 'Imagine all', title: 'Imagine prompt 1 (describe)', refusedByResellers: true }],
  ...[1, 5].map((i): [string, Expect] => [`MJ::Job::PromptAnalyzer::${H}::SOLO::${i}`, { action: { kind: 'shorten-prompt', index: i }, title: `Imagine prompt ${i} (shorten)`, prompt: { form: 'shorten', index: i }, refusedByResellers: true, imagineFallback: true }]),
  [`MJ::Job::PromptAnalyzerExtended::${H}::SOLO`, { action: { kind: 'shorten-details' }, label: 'Show Details', refusedByResellers: true }],
  ...[1, 4].map((i): [string, Expect] => [`MJ::JOB::video_virtual_upscale::${i}::${ID}`, { action: { kind: 'video-upscale', index: i }, label: `U${i}`, title: `Video U${i}`, refusedByResellers: true }]),
  [`MJ::JOB::animate_high_extend::1::${ID}`, { action: { kind: 'video-extend', motion: 'high' }, label: 'Extend (High motion)', refusedByResellers: true }],
  [`MJ::JOB::animate_low_extend::1::${ID}`, { action: { kind: 'video-extend', motion: 'low' }, label: 'Extend (Low motion)', refusedByResellers: true }],
  [`MJ::JOB::some_future_button::1::${H}::SOLO`, { action: { kind: 'other', name: 'some future button' }, label: 'some future button' }],
];

describe('the Midjourney action catalogue', () => {
  for (const [customId, expected] of TABLE) {
    it(customId, () => {
      const action = parseAction(customId);
      assert.deepEqual(action, expected.action);
      const info = actionInfo(action);
      const { action: _a, ...fields } = expected;
      assert.deepEqual({ ...info, ...fields }, { ...info, ...none, ...fields }, 'every flag not named is off');
      for (const [key, value] of Object.entries(fields)) assert.deepEqual(info[key as keyof EnglishInfo], value, key);
    });
  }

  it('the label Midjourney sends wins in the next card’s title, when the catalogue has no better one', () => {
    assert.equal(actionInfo(parseAction(`MJ::JOB::high_variation::1::${H}::SOLO`), 'Vary (Strong)').title, 'Vary (Strong)');
    assert.equal(actionInfo(parseAction(`MJ::JOB::upsample::2::${H}`), 'U2').title, 'Upscale U2');
  });

  it('builds the ids of the buttons it draws for the open-source proxy, and reads them back', () => {
    for (const action of [{ kind: 'upscale', index: 3 }, { kind: 'variation', index: 1 }, { kind: 'reroll' }, { kind: 'describe-prompt', index: 2 }] as const) {
      assert.deepEqual(parseAction(midjourneyButton(action, H).customId), action);
    }
  });

  it('reads back every button it builds, and a label Midjourney shows is the catalogue’s', () => {
    const named = TABLE.map(([, expected]) => expected.action).filter((action): action is KnownAction => action.kind !== 'other');
    for (const action of [...named, ...Object.values(RESULT_BUTTONS).flat()]) {
      const button = midjourneyButton(action, H);
      assert.deepEqual(parseAction(button.customId), action, button.customId);
      assert.ok(button.label || button.emoji, `${button.customId} shows a label or an emoji`);
      if (button.label) assert.equal(button.label, actionInfo(action).label, button.customId);
    }
  });

  it('is the only product code that knows the id formats', () => {
    const hits = execFileSync('grep', ['-rln', 'MJ::', 'src', 'commands'], { encoding: 'utf8' }).trim().split('\n');
    // The built-in simulator included: it sends the buttons the catalogue builds.
    assert.deepEqual(hits, ['src/mj/actions.ts']);
  });
});
