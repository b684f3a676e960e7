import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationCommandOptionType } from 'discord.js';
import { request } from 'undici';
import { commands } from '../commands';
import { messagesFor } from '../src/i18n';
import { actionInfo, parseAction } from '../src/mj/actions';
import { actionAccepted, providerRejects, PROVIDERS, PROVIDER_NAMES } from '../src/mj/providers';
import { errorFromAnswer } from '../src/mj/client';
import { EDIT_PROMPT_PREFIX, mapButtons, SEED_PREFIX, STAR_PREFIX } from '../src/render/button-rows';
import { botButtons, offersSeed, offersStar, renderCard } from '../src/render/card';
import { parseTextResult } from '../src/render/text';
import { startTestSimulator as startSimulator } from './support/simulator';
import { taskSchema, type MjButton } from '../src/mj/schemas';
import type { TrackedTask } from '../src/store';
import { nextState, stateOfView } from '../src/tasks/card-state';
import { emptyView, viewFromTask } from '../src/tasks/view';
import { classicButtons } from '../src/mj/classic';

const H = '0ddb91a0-af46-4ae9-8e8e-c271074eb6e6';
const b = (customId: string, label = '', emoji = ''): MjButton => ({ customId, label, emoji, style: 2, type: 2 });

function tracked(view: Partial<TrackedTask['view']>, overrides: Partial<TrackedTask> = {}): TrackedTask {
  const task: Omit<TrackedTask, 'state'> = {
    taskId: '1748339029401828',
    title: 'Imagine',
    prompt: 'a red fox',
    requesterId: '200000000000000001',
    mode: undefined,
    parentTaskId: undefined,
    message: { guildId: '1', channelId: '2', messageId: undefined, interaction: undefined },
    submittedAt: 1_750_000_000_000,
    lastChangeAt: 1_750_000_000_000,
    view: { ...emptyView('SUCCESS'), ...view },
    renderedHash: undefined,
    lifecycle: 'tracked',
    files: [],
    ...overrides,
  };
  return { ...task, state: overrides.state ?? stateOfView(task.view) };
}

const allButtons = (card: ReturnType<typeof renderCard>) =>
  card.payload.components.flatMap((row) => row.components) as Array<{ custom_id?: string; label?: string; emoji?: { name?: string } }>;

describe('slash commands, as issue 3 names them', () => {
  const byName = new Map(commands.map((c) => [c.data.name, c.data]));
  const optionNames = (name: string) => (byName.get(name)?.options ?? []).map((o) => o.name);

  it('registers every command with exactly the options the issue names', () => {
    assert.deepEqual(
      [...byName.keys()].sort(),
      ['admin', 'blend', 'describe', 'edit', 'favorites', 'history', 'imagine', 'prefer', 'quota', 'settings', 'shorten', 'swapface', 'task', 'video'],
    );
    assert.deepEqual(optionNames('admin'), ['limit', 'mode', 'budget', 'channels', 'words', 'usage', 'language', 'showcase', 'show', 'translate', 'strikes', 'pardon']);
    assert.deepEqual(optionNames('favorites'), ['page']);
    assert.deepEqual(optionNames('history'), ['page', 'kind']);
    assert.deepEqual(optionNames('settings'), []);
    assert.deepEqual(optionNames('prefer'), ['suffix']);
    assert.deepEqual(optionNames('quota'), []);
    assert.deepEqual(optionNames('blend'), ['image1', 'image2', 'image3', 'image4', 'image5', 'dimensions', 'mode']);
    assert.deepEqual(optionNames('describe'), ['image', 'link', 'mode']);
    assert.deepEqual(optionNames('shorten'), ['prompt', 'mode']);
    assert.deepEqual(optionNames('video'), ['prompt', 'image', 'link', 'motion', 'hd', 'mode']);
    assert.deepEqual(optionNames('edit'), ['prompt', 'image', 'mode']);
    assert.deepEqual(optionNames('swapface'), ['source', 'target']);
    assert.deepEqual(optionNames('task'), ['id']);
    assert.deepEqual(optionNames('imagine'), ['prompt', 'image', 'mode']);
  });

  it('declares options Discord accepts: required first, short descriptions, typed attachments and choices', () => {
    for (const command of commands) {
      const options = command.data.options ?? [];
      assert.ok(command.data.description.length <= 100);
      const firstOptional = options.findIndex((o) => !('required' in o && o.required));
      if (firstOptional >= 0) {
        assert.ok(options.slice(firstOptional).every((o) => !('required' in o && o.required)), `${command.data.name}: required options come first`);
      }
      for (const option of options) {
        assert.match(option.name, /^[a-z0-9_-]{1,32}$/);
        assert.ok(option.description.length >= 1 && option.description.length <= 100, `${command.data.name}.${option.name}`);
      }
    }
    const blend = byName.get('blend')!.options!;
    assert.ok(blend.slice(0, 5).every((o) => o.type === ApplicationCommandOptionType.Attachment));
    assert.deepEqual(blend.slice(0, 5).map((o) => 'required' in o && o.required), [true, true, false, false, false]);
    const dims = blend.find((o) => o.name === 'dimensions') as { choices: Array<{ value: string }> };
    assert.deepEqual(dims.choices.map((c) => c.value), ['portrait', 'square', 'landscape']);
    const video = byName.get('video')!.options!;
    assert.equal(video.find((o) => o.name === 'hd')?.type, ApplicationCommandOptionType.Boolean);
    assert.deepEqual((video.find((o) => o.name === 'motion') as { choices: Array<{ value: string }> }).choices.map((c) => c.value), ['low', 'high']);
    const swap = byName.get('swapface')!.options!;
    assert.ok(swap.every((o) => o.type === ApplicationCommandOptionType.Attachment && 'required' in o && o.required));
  });
});

describe('provider presets: what is hidden, what falls back to /imagine', () => {
  const resellers = PROVIDER_NAMES.filter((name) => PROVIDERS[name].refusesResellerActions);

  it('resellers refuse PicReader, PromptAnalyzer, Retry, animate, video upscale and bookmark on /submit/action', () => {
    assert.deepEqual(resellers.sort(), ['maxapi', 'new-api', 'openai-hk', 'yescale']);
    for (const name of resellers) {
      for (const id of ['MJ::Job::PicReader::1', 'MJ::Job::PicReader::all', 'MJ::Picread::Retry', `MJ::Job::PromptAnalyzer::${H}::SOLO::2`, `MJ::JOB::animate_high::1::${H}::SOLO`, `MJ::JOB::video_virtual_upscale::1::${H}`, `MJ::BOOKMARK::${H}`]) {
        assert.equal(actionAccepted(PROVIDERS[name], id), false, `${name} ${id}`);
      }
      for (const id of [`MJ::JOB::upsample::1::${H}`, `MJ::CustomZoom::${H}`, `MJ::JOB::pan_left::1::${H}::SOLO`]) {
        assert.equal(actionAccepted(PROVIDERS[name], id), true, `${name} ${id}`);
      }
    }
  });

  it('keeps PicReader N and PromptAnalyzer N usable (they become /imagine), hides the rest', () => {
    const preset = PROVIDERS['new-api'];
    assert.equal(actionInfo('MJ::Job::PicReader::2').imagineFallback, true);
    assert.equal(actionInfo(`MJ::Job::PromptAnalyzer::${H}::SOLO::4`).imagineFallback, true);
    assert.equal(actionInfo('MJ::Job::PicReader::all').imagineFallback, false);
    assert.equal(providerRejects(preset, 'MJ::Job::PicReader::2'), false);
    assert.equal(providerRejects(preset, 'MJ::Job::PicReader::all'), true);
    assert.equal(providerRejects(preset, 'MJ::Picread::Retry'), true);
    assert.equal(providerRejects(preset, `MJ::BOOKMARK::${H}`), true);
    assert.equal(providerRejects(PROVIDERS.trueai, 'MJ::Job::PicReader::all'), false);

    const describeButtons = [1, 2, 3, 4].map((i) => b(`MJ::Job::PicReader::${i}`, '', `${i}\uFE0F\u20E3`)).concat(b('MJ::Picread::Retry', '', '🔄'), b('MJ::Job::PicReader::all', 'Imagine all', '🎉'));
    const { slots } = mapButtons('1', describeButtons, { hide: (id) => providerRejects(preset, id) });
    assert.deepEqual(slots.map((s) => s.customId), [1, 2, 3, 4].map((i) => `MJ::Job::PicReader::${i}`));
  });

  it('names the cause of a code 9 "account cannot edit" as unsupported, not as a temporary failure', () => {
    const error = errorFromAnswer({ status: 200, body: { code: 9, description: '当前账号不支持编辑/重绘任务', result: null }, text: '' }, 'edits');
    assert.equal(error.kind, 'unsupported');
    assert.match(error.userMessage, /cannot edit images/);
    assert.doesNotMatch(error.userMessage, /[{}]/);
  });
});

describe("the bot's own buttons", () => {
  it('adds Seed to finished image results only', () => {
    const image = tracked({ action: 'IMAGINE', imageUrl: 'http://x/a.png' });
    assert.equal(offersSeed(image), true);
    for (const action of ['DESCRIBE', 'SHORTEN', 'VIDEO', 'SWAP_FACE']) {
      assert.equal(offersSeed(tracked({ action, imageUrl: 'http://x/a.png' })), false, action);
    }
    assert.equal(offersSeed(tracked({ action: 'UPSCALE', imageUrl: 'http://x/a.png', status: 'IN_PROGRESS' })), false);
    assert.equal(offersSeed(tracked({ action: 'IMAGINE', imageUrl: '' })), false);
    const [seed] = botButtons(image);
    assert.equal((seed as { custom_id: string }).custom_id, `${SEED_PREFIX}1748339029401828`);
    assert.equal((seed as { label: string }).label, 'Seed');
    assert.match(messagesFor('en').buttons.seed('1', '1234'), /\*\*1234\*\*[\s\S]*--seed 1234/);
  });

  it('adds ⭐ with its count to every finished image, not to text results, and to a video only with its picture', () => {
    for (const action of ['IMAGINE', 'UPSCALE', 'VARIATION', 'ZOOM', 'PAN', 'BLEND', 'INPAINT', 'EDIT', 'SWAP_FACE']) {
      assert.equal(offersStar(tracked({ action, imageUrl: 'http://x/a.png' })), true, action);
    }
    for (const action of ['DESCRIBE', 'SHORTEN']) assert.equal(offersStar(tracked({ action, imageUrl: 'http://x/a.png' })), false, action);
    assert.equal(offersStar(tracked({ action: 'VIDEO', imageUrl: '', videoUrls: ['http://x/v.mp4'] })), false, 'a video without its picture');
    assert.equal(offersStar(tracked({ action: 'VIDEO', imageUrl: 'http://x/cover.png', videoUrls: ['http://x/v.mp4'] })), true, 'a video that shows its picture');
    assert.equal(offersStar(tracked({ action: 'IMAGINE', imageUrl: 'http://x/a.png', status: 'IN_PROGRESS' })), false, 'not before it is done');
    assert.equal(offersStar(tracked({ action: 'IMAGINE', imageUrl: 'http://x/a.png' }, { blockedUrls: ['http://x/a.png'] })), false, 'not an image the bot refused to show');
    const attached = tracked({ action: 'IMAGINE', imageUrl: '' }, { files: [{ name: 'mj-1.png', sourceUrl: 'http://x/a.png' }] });
    const [, star] = botButtons(attached, 1234);
    assert.deepEqual(star, { type: 2, style: 2, custom_id: `${STAR_PREFIX}1748339029401828`, label: '1,234', emoji: { name: '⭐' } });
    assert.equal((botButtons({ ...attached, locale: 'zh-CN' }, 3)[1] as { label: string }).label, '3');
  });

  it('shows "Edit prompt" on a task the API holds in MODAL, and says so instead of "stalled"', () => {
    // The stall watchdog's event on a task that waits for its member: it keeps waiting for the prompt.
    const waiting = tracked({ status: 'MODAL' });
    const card = renderCard({ ...waiting, state: nextState(waiting, { kind: 'quiet' }) });
    const buttons = allButtons(card);
    assert.deepEqual(buttons.map((x) => x.label), ['Edit prompt']);
    assert.equal(buttons[0]?.custom_id, `${EDIT_PROMPT_PREFIX}1748339029401828`);
    assert.match(card.payload.embeds[0]?.fields?.[0]?.value ?? '', /waits for your prompt/);
    assert.doesNotMatch(card.payload.embeds[0]?.fields?.[0]?.value ?? '', /No news/);
  });

  it('fits next to every Midjourney button: never more than 25, rows of 5, Seed and ⭐ kept (the last Midjourney buttons go)', () => {
    const upscale = ['upsample_v7_2x_subtle', 'upsample_v7_2x_creative', 'low_variation', 'high_variation', 'pan_left', 'pan_right', 'pan_up', 'pan_down', 'animate_high', 'animate_low']
      .map((name) => b(`MJ::JOB::${name}::1::${H}::SOLO`, name));
    const many = [...upscale, ...upscale, ...upscale];
    const card = renderCard(tracked({ action: 'UPSCALE', imageUrl: 'http://x/a.png', buttons: many }));
    const buttons = allButtons(card);
    assert.equal(buttons.length, 25);
    assert.ok(card.payload.components.every((row) => row.components.length <= 5));
    assert.equal(buttons.at(-2)?.label, 'Seed');
    assert.equal((buttons.at(-1) as { emoji?: { name: string } }).emoji?.name, '⭐', '⭐ in the last row');
    assert.equal(buttons.filter((x) => x.custom_id?.startsWith('mj:')).length, 23);
    assert.equal(new Set(buttons.map((x) => x.custom_id)).size, 25, 'unique custom_ids');
  });
});

describe('describe, shorten and video results', () => {
  it('splits describe and shorten texts into tokens, prompts and details', () => {
    assert.deepEqual(parseTextResult('1️⃣ a cat --ar 1:1\n\n2️⃣ a dog\n\n3️⃣ a bird\n\n4️⃣ a fish'), { tokens: '', prompts: ['a cat --ar 1:1', 'a dog', 'a bird', 'a fish'], details: '' });
    const shorten = parseTextResult('## Important tokens\nfox, snow\n\n## Shortened prompts\n1️⃣ fox, snow --ar 3:2\n\n2️⃣ fox --ar 3:2\n\n## Details\nfox: 1.00\nsnow: 0.87');
    assert.equal(shorten.tokens, 'fox, snow');
    assert.deepEqual(shorten.prompts, ['fox, snow --ar 3:2', 'fox --ar 3:2']);
    assert.equal(shorten.details, 'fox: 1.00\nsnow: 0.87');
  });

  it('renders the four describe prompts and how to use them, with the numbered buttons', () => {
    const buttons = [1, 2, 3, 4].map((i) => b(`MJ::Job::PicReader::${i}`, '', `${i}\uFE0F\u20E3`));
    const card = renderCard(tracked({ action: 'DESCRIBE', finalPrompt: '1️⃣ a *cat*\n\n2️⃣ a dog\n\n3️⃣ a bird\n\n4️⃣ a fish', buttons }, { prompt: '' }));
    const fields = card.payload.embeds[0]?.fields ?? [];
    assert.deepEqual(fields.filter((f) => /^Prompt \d$/.test(f.name)).map((f) => f.value), ['a \\*cat\\*', 'a dog', 'a bird', 'a fish']);
    assert.ok(fields.some((f) => /1️⃣–4️⃣/.test(f.value)));
    assert.deepEqual(allButtons(card).map((x) => x.emoji?.name), ['1️⃣', '2️⃣', '3️⃣', '4️⃣'], 'no Seed on a describe');
  });

  it('renders shorten tokens, five prompts and extended details', () => {
    const text = `## Important tokens\nfox, snow\n\n## Shortened prompts\n${[1, 2, 3, 4, 5].map((i) => `${i}\uFE0F\u20E3 p${i}`).join('\n\n')}\n\n## Details\nfox: 1.00`;
    const card = renderCard(tracked({ action: 'SHORTEN', description: text }));
    const fields = card.payload.embeds[0]?.fields ?? [];
    assert.equal(fields.find((f) => f.name === 'Important tokens')?.value, 'fox, snow');
    assert.deepEqual(fields.filter((f) => /^Prompt \d$/.test(f.name)).map((f) => f.value), ['p1', 'p2', 'p3', 'p4', 'p5']);
    assert.equal(fields.find((f) => f.name === 'Details')?.value, 'fox: 1.00');
    assert.ok(JSON.stringify(card.payload).length < 6000);
  });

  it('links the videos that were not attached, numbered as Midjourney numbers them', () => {
    const videos = [0, 1, 2, 3].map((i) => `http://x/v/0_${i}.mp4`);
    const files = videos.slice(0, 3).map((url, i) => ({ name: `mj-1-${i}.mp4`, sourceUrl: url }));
    const card = renderCard(tracked({ action: 'VIDEO', videoUrls: videos }, { files }));
    const more = card.payload.embeds[0]?.fields?.find((f) => f.name === 'More')?.value;
    assert.equal(more, '[Video 4](http://x/v/0_3.mp4)');
    assert.equal(allButtons(card).length, 0, 'no Seed on a video');
  });
});

/** The English title of the card a click starts. */
const actionTitle = (customId: string, label: string) => actionInfo(parseAction(customId), label).title(messagesFor('en'));

describe('button clicks', () => {
  it('titles the card a click starts', () => {
    assert.equal(actionTitle(`MJ::JOB::upsample::2::${H}`, 'U2'), 'Upscale U2');
    assert.equal(actionTitle(`MJ::JOB::video_virtual_upscale::3::${H}`, 'U3'), 'Video U3');
    assert.equal(actionTitle('MJ::Picread::Retry', 'Retry'), 'Describe (retry)');
    assert.equal(actionTitle(`MJ::JOB::animate_high_extend::1::${H}`, 'Extend (High motion)'), 'Extend (High motion)');
  });

  it('knows which actions open the remix modal', () => {
    for (const id of [`MJ::JOB::variation::1::${H}`, `MJ::JOB::low_variation::1::${H}::SOLO`, `MJ::JOB::reroll::0::${H}::SOLO`, `MJ::JOB::pan_up::1::${H}::SOLO`, `MJ::JOB::animate_low::1::${H}::SOLO`]) {
      assert.equal(actionInfo(id).remix, true, id);
    }
    for (const id of [`MJ::JOB::upsample::1::${H}`, `MJ::Outpaint::50::1::${H}::SOLO`, `MJ::JOB::animate_low_extend::1::${H}`]) {
      assert.equal(actionInfo(id).remix, false, id);
    }
  });
});

describe('simulator switches for accounts without editing or face swap', () => {
  const PNG =
    'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';
  const post = async (url: string, body: unknown) => {
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.statusCode, json: (await res.body.json()) as { code?: number; description?: string } };
  };

  for (const family of ['trueai', 'reseller'] as const) {
    it(`${family}: edits answer code 9 and face swap code 4 when switched off`, async () => {
      const sim = await startSimulator({ family });
      try {
        assert.equal((await post(`${sim.url}/mj/submit/edits`, { prompt: 'night', image: PNG })).json.code, 1);
        sim.configure({ editsSupported: false, faceSwapSupported: false });
        const edits = await post(`${sim.url}/mj/submit/edits`, { prompt: 'night', image: PNG });
        assert.equal(edits.json.code, 9);
        assert.equal(edits.status, family === 'reseller' ? 400 : 200);
        assert.match(edits.json.description ?? '', /当前账号不支持编辑/);
        const swap = await post(`${sim.url}/mj/insight-face/swap`, { sourceBase64: PNG, targetBase64: PNG });
        assert.equal(swap.json.code, 4);
        assert.match(swap.json.description ?? '', /服务不支持/);
      } finally {
        await sim.close();
      }
    });
  }
});

describe('servers that send no buttons (open-source midjourney-proxy)', () => {
  const nzTask = (action: string, extra: Record<string, unknown> = {}) =>
    taskSchema.parse({ id: '1748339029401828', action, status: 'SUCCESS', progress: '100%', properties: { messageHash: H }, ...extra });

  it('notices a task body without a buttons field, and only then', () => {
    assert.equal(nzTask('IMAGINE').sendsNoButtons, true);
    assert.equal(nzTask('IMAGINE', { buttons: [] }).sendsNoButtons, undefined);
    assert.equal(nzTask('IMAGINE', { buttons: null }).sendsNoButtons, undefined);
  });

  it('draws U1–U4, reroll and V1–V4 under grids, 1️⃣–4️⃣ under describes, nothing under upscales', () => {
    for (const action of ['IMAGINE', 'BLEND', 'VARIATION', 'REROLL']) {
      const buttons = classicButtons(nzTask(action));
      assert.deepEqual(buttons.map((x) => x.label || x.emoji), ['U1', 'U2', 'U3', 'U4', '🔄', 'V1', 'V2', 'V3', 'V4'], action);
      assert.ok(buttons.every((x) => x.customId.endsWith(H) || x.customId.endsWith(`${H}::SOLO`)));
    }
    assert.deepEqual(classicButtons(nzTask('DESCRIBE')).map((x) => x.customId), [1, 2, 3, 4].map((n) => `MJ::Job::PicReader::${n}`));
    assert.deepEqual(classicButtons(nzTask('UPSCALE')), []);
    assert.deepEqual(classicButtons(nzTask('IMAGINE', { buttons: [] })), [], 'a PLUS task with no buttons gets none drawn');
    assert.deepEqual(classicButtons(nzTask('IMAGINE', { status: 'IN_PROGRESS' })), []);
  });

  it('maps those buttons to /submit/change', () => {
    assert.deepEqual(actionInfo(`MJ::JOB::upsample::3::${H}`).change, { action: 'UPSCALE', index: 3 });
    assert.deepEqual(actionInfo(`MJ::JOB::variation::1::${H}`).change, { action: 'VARIATION', index: 1 });
    assert.deepEqual(actionInfo(`MJ::JOB::reroll::0::${H}::SOLO`).change, { action: 'REROLL' });
    assert.equal(actionInfo(`MJ::JOB::upsample_v6_2x_subtle::1::${H}::SOLO`).change, undefined);
    assert.equal(actionInfo('MJ::Job::PicReader::1').change, undefined);
  });

  it('keeps the drawn buttons in the view, marked, and offers no Seed', () => {
    const view = viewFromTask(nzTask('IMAGINE', { imageUrl: 'http://x/a.png' }), emptyView());
    assert.equal(view.classic, true);
    assert.equal(view.buttons.length, 9);
    assert.equal(offersSeed(tracked(view)), false);
    const upscale = viewFromTask(nzTask('UPSCALE', { imageUrl: 'http://x/a.png' }), emptyView());
    assert.equal(offersSeed(tracked(upscale)), false);
    const plus = viewFromTask(nzTask('UPSCALE', { imageUrl: 'http://x/a.png', buttons: [] }), emptyView());
    assert.equal(offersSeed(tracked(plus)), true);
  });

  it('does not tell a member to click numbered buttons that are not there', () => {
    const text = 'a fox\n\n2️⃣ a dog\n\n3️⃣ a bird\n\n4️⃣ a fish';
    const withButtons = renderCard(tracked({ action: 'DESCRIBE', finalPrompt: `1️⃣ ${text}`, buttons: [b('MJ::Job::PicReader::1', '', '1️⃣')] }));
    const without = renderCard(tracked({ action: 'DESCRIBE', finalPrompt: `1️⃣ ${text}`, buttons: [] }));
    assert.ok(withButtons.payload.embeds[0]!.fields!.some((f) => f.name === 'Next'));
    assert.ok(!without.payload.embeds[0]!.fields!.some((f) => f.name === 'Next'));
  });
});
