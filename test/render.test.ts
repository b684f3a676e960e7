import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ButtonStyle } from 'discord.js';
import { buttonKey, derivedLabel, mapButtons, readableEmoji } from '../src/render/button-rows';
import { COLORS, renderCard } from '../src/render/card';
import { numberedPrompts, progressBar, truncate } from '../src/render/text';
import { taskSchema, type MjButton } from '../src/mj/schemas';
import { emptyView } from '../src/tasks/view';
import { trackedTask } from './support/tasks';

const docs = JSON.parse(readFileSync(new URL('./fixtures/provider-docs.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const H = '0ddb91a0-af46-4ae9-8e8e-c271074eb6e6';
const b = (customId: string, label = '', emoji = '', style = 2): MjButton => ({ customId, label, emoji, style, type: 2 });

/** Every customId of the midjourney-proxy button catalogue, as the servers send them. */
const CATALOGUE: MjButton[] = [
  ...[1, 2, 3, 4].map((i) => b(`MJ::JOB::upsample::${i}::${H}`, `U${i}`)),
  b(`MJ::JOB::reroll::0::${H}::SOLO`, '', '🔄'),
  ...[1, 2, 3, 4].map((i) => b(`MJ::JOB::variation::${i}::${H}`, `V${i}`)),
  b(`MJ::JOB::upsample_v5_2x::1::${H}::SOLO`, 'Upscale (2x)', 'upscale_1'),
  b(`MJ::JOB::upsample_v6_2x_subtle::1::${H}::SOLO`, 'Upscale (Subtle)', 'upscale_1'),
  b(`MJ::JOB::upsample_v6r1_2x_creative::1::${H}::SOLO`, '', 'upscale_1'),
  b(`MJ::JOB::upsample_v7_2x_subtle::1::${H}::SOLO`, 'Upscale (Subtle)', 'upscale_1'),
  b(`MJ::JOB::low_variation::1::${H}::SOLO`, 'Vary (Subtle)', '🪄'),
  b(`MJ::JOB::high_variation::1::${H}::SOLO`, 'Vary (Strong)', '🪄'),
  b(`MJ::Inpaint::1::${H}::SOLO`, 'Vary (Region)', '🖌️'),
  b(`MJ::Outpaint::50::1::${H}::SOLO`, 'Zoom Out 2x', '🔍'),
  b(`MJ::Outpaint::75::1::${H}::SOLO`, 'Zoom Out 1.5x', '🔍'),
  b(`MJ::Outpaint::100::1::${H}::SOLO`, '', ''),
  b(`MJ::CustomZoom::${H}`, 'Custom Zoom', '🔍'),
  b(`MJ::JOB::pan_left::1::${H}::SOLO`, '', '⬅️'),
  b(`MJ::JOB::pan_right::1::${H}::SOLO`, '', '➡️'),
  b(`MJ::JOB::pan_up::1::${H}::SOLO`, '', '⬆️'),
  b(`MJ::JOB::pan_down::1::${H}::SOLO`, '', ''),
  b(`MJ::JOB::animate_high::1::${H}::SOLO`, 'Animate (High motion)', '🎞️'),
  b(`MJ::JOB::animate_low::1::${H}::SOLO`, '', ''),
  b(`MJ::BOOKMARK::${H}`, '', '❤️'),
  ...[1, 2, 3, 4].map((i) => b(`MJ::Job::PicReader::${i}`, '', `${i}\uFE0F\u20E3`)),
  b('MJ::Picread::Retry', '', '🔄'),
  b('MJ::Job::PicReader::all', 'Imagine all', '🎉'),
  b(`MJ::Job::PromptAnalyzer::${H}::SOLO::3`, '', ''),
  b(`MJ::Job::PromptAnalyzerExtended::${H}::SOLO`, 'Show Details', ''),
  b(`MJ::JOB::video_virtual_upscale::2::1748339029401828`, 'U2', ''),
  b(`MJ::JOB::animate_high_extend::1::1748339029401828`, 'Extend (High motion)', '🎞️'),
  b(`MJ::JOB::animate_low_extend::1::1748339029401828`, '', ''),
];

describe('button mapping', () => {
  it('renders every button of the catalogue with a label or a unicode emoji Discord accepts', () => {
    for (const button of CATALOGUE) {
      const { rows, slots } = mapButtons('1748339029401828', [button]);
      const component = rows[0]?.components[0] as { label?: string; emoji?: { name: string }; custom_id: string } | undefined;
      assert.ok(component, `no component for ${button.customId}`);
      assert.ok(component.label || component.emoji, `${button.customId} has neither label nor emoji`);
      if (component.emoji) assert.notEqual(component.emoji.name, 'upscale_1', 'custom emoji names are rejected by Discord');
      assert.ok(component.custom_id.length <= 100);
      assert.equal(slots[0]?.customId, button.customId, 'the MJ customId is kept verbatim behind the short key');
      assert.ok((slots[0]?.label ?? '').length > 0);
    }
  });

  it('keeps MJ labels, maps custom emoji, derives labels where both are empty', () => {
    assert.equal(readableEmoji('upscale_1'), '⏫');
    assert.equal(readableEmoji('🔄'), '🔄');
    assert.equal(readableEmoji('1️⃣'), '1️⃣');
    assert.equal(readableEmoji('some_custom'), undefined);
    // Exactly one emoji, as Discord takes it: a flag or a family is one; anything more is refused ("Invalid emoji").
    assert.equal(readableEmoji('🇯🇵'), '🇯🇵');
    assert.equal(readableEmoji('👨‍👩‍👧'), '👨‍👩‍👧');
    assert.equal(readableEmoji('🔄 x'), undefined);
    assert.equal(readableEmoji('🔄🔄'), undefined);
    assert.equal(derivedLabel(`MJ::JOB::pan_down::1::${H}::SOLO`), 'Pan down');
    assert.equal(derivedLabel(`MJ::Outpaint::100::1::${H}::SOLO`), 'Make Square');
    assert.equal(derivedLabel(`MJ::JOB::upsample_v6r1_2x_creative::1::${H}::SOLO`), 'Upscale (Creative)');
    assert.equal(derivedLabel(`MJ::Job::PromptAnalyzer::${H}::SOLO::3`), 'Prompt 3');
  });

  it('lays the nine grid buttons out as Midjourney does: U1–U4 + reroll, then V1–V4', () => {
    const task = taskSchema.parse(docs.yescaleImagine);
    const { rows } = mapButtons(task.id, task.buttons);
    assert.equal(rows.length, 2);
    const labels = rows.map((row) => row.components.map((c) => ('label' in c && c.label) || ('emoji' in c && c.emoji?.name)));
    assert.deepEqual(labels, [['U1', 'U2', 'U3', 'U4', '🔄'], ['V1', 'V2', 'V3', 'V4']]);
  });

  it('never breaks the message: at most 25 buttons in rows of at most 5, link buttons dropped', () => {
    const many = [...CATALOGUE, b('https://www.midjourney.com/jobs/x', 'Web', '', ButtonStyle.Link), b('', 'No id')];
    const { rows, slots, dropped } = mapButtons('1', many);
    assert.ok(rows.length <= 5);
    assert.ok(rows.every((row) => row.components.length <= 5));
    assert.equal(slots.length, 25);
    assert.equal(dropped, many.length - 25);
    assert.ok(!slots.some((s) => s.customId.startsWith('http')));
  });

  it('hides what the provider refuses', () => {
    const describeSet = CATALOGUE.filter((x) => /PicReader|Picread/.test(x.customId));
    const { slots } = mapButtons('1', describeSet, { hide: (id) => id.includes('PicReader') });
    assert.ok(!slots.some((s) => s.customId.includes('PicReader')));
    assert.ok(slots.some((s) => s.customId === 'MJ::Picread::Retry'));
  });

  it('makes short deterministic keys, even for long task ids', () => {
    assert.equal(buttonKey('1748339029401828', 3), 'mj:1748339029401828:3');
    const long = buttonKey('x'.repeat(300), 24);
    assert.ok(long.length < 40);
    assert.equal(long, buttonKey('x'.repeat(300), 24));
  });
});

const tracked = trackedTask;

describe('task card', () => {
  it('shows prompt, requester, status and queue position while waiting', () => {
    const { payload } = renderCard(tracked({ view: emptyView('SUBMITTED', 3) }));
    const embed = payload.embeds[0]!;
    assert.match(embed.description ?? '', /a red fox \\\*\\\*in\\\*\\\* the snow/);
    assert.match(embed.description ?? '', /<@200000000000000001>/);
    assert.match(embed.fields?.[0]?.value ?? '', /position 3/);
    assert.ok(embed.fields?.some((f) => f.value.startsWith('<t:1750000000:R>')), 'elapsed time as a Discord timestamp');
    assert.deepEqual(payload.components, []);
    assert.deepEqual(payload.allowed_mentions, { parse: [] });
  });

  it('shows a progress bar and the preview while running; the hash follows what is shown', () => {
    const running = tracked({ view: { ...emptyView('IN_PROGRESS'), progress: 45, imageUrl: 'http://x/p45.png' } });
    const a = renderCard(running);
    assert.match(a.payload.embeds[0]?.fields?.[0]?.value ?? '', /▰+▱+ 45%/);
    assert.equal(a.payload.embeds[0]?.image?.url, 'http://x/p45.png');
    assert.equal(a.payload.embeds[0]?.color, COLORS.running);
    assert.equal(renderCard(running).hash, a.hash, 'same state, same hash: no edit');
    const b2 = renderCard({ ...running, view: { ...running.view, progress: 60 } });
    assert.notEqual(b2.hash, a.hash);
  });

  it('ends with the attached image, the elapsed time and the buttons', () => {
    const task = taskSchema.parse(docs.yescaleImagine);
    const done = tracked({
      view: { ...emptyView('SUCCESS'), progress: 100, buttons: task.buttons, startTime: 1_750_000_000_000, finishTime: 1_750_000_042_000, imageUrl: task.imageUrl },
      files: [{ name: 'mj-1748339029401828.png', sourceUrl: task.imageUrl }],
    });
    const { payload, slots } = renderCard(done);
    assert.equal(payload.embeds[0]?.image?.url, 'attachment://mj-1748339029401828.png');
    assert.deepEqual(payload.attachments, [{ id: 0, filename: 'mj-1748339029401828.png' }]);
    assert.match(payload.embeds[0]?.fields?.[0]?.value ?? '', /Done in 42 s/);
    assert.equal(slots.length, 9);
    assert.equal(payload.components.length, 3, 'U1–U4 🔄 / V1–V4 🌱 / ⭐');
  });

  it('says why a task failed', () => {
    const { payload } = renderCard(tracked({ view: { ...emptyView('FAILURE'), failReason: '[Banned] prompt rejected' } }));
    // The bracket is escaped (it could open a masked link); Discord shows it as a plain `[`.
    assert.equal(payload.embeds[0]?.fields?.[0]?.value, '❌ Failed: \\[Banned] prompt rejected');
    assert.equal(payload.embeds[0]?.color, COLORS.failure);
  });

  it('lists describe prompts and shorten results as fields', () => {
    const describe = renderCard(
      tracked({ view: { ...emptyView('SUCCESS'), action: 'DESCRIBE', finalPrompt: '1️⃣ a cat\n\n2️⃣ a dog\n\n3️⃣ a bird\n\n4️⃣ a fish' } }),
    );
    assert.deepEqual(describe.payload.embeds[0]?.fields?.filter((f) => f.name.startsWith('Prompt')).map((f) => f.value), ['a cat', 'a dog', 'a bird', 'a fish']);
    const shorten = renderCard(
      tracked({ view: { ...emptyView('SUCCESS'), action: 'SHORTEN', finalPrompt: '## Important tokens\nfox, snow\n\n## Shortened prompts\n1️⃣ fox\n\n2️⃣ fox snow' } }),
    );
    const fields = shorten.payload.embeds[0]?.fields ?? [];
    assert.equal(fields.find((f) => f.name === 'Important tokens')?.value, 'fox, snow');
    assert.equal(fields.filter((f) => f.name.startsWith('Prompt')).length, 2);
  });

  it('keeps every text inside Discord\'s embed limits', () => {
    const { payload } = renderCard(tracked({ prompt: 'word '.repeat(2000), title: 'T'.repeat(400) }));
    assert.ok((payload.embeds[0]?.title ?? '').length <= 256);
    assert.ok((payload.embeds[0]?.description ?? '').length <= 4096);
  });
});

describe('text helpers', () => {
  it('truncates, draws bars and splits numbered prompts', () => {
    assert.equal(truncate('short', 10), 'short');
    assert.ok(truncate('a b c d e f g h i j k', 8).endsWith('…'));
    assert.equal(progressBar(50, 4), '▰▰▱▱ 50%');
    assert.deepEqual(numberedPrompts('1️⃣ one\n\n2️⃣ two'), ['one', 'two']);
  });
});
