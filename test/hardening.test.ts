import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { DiscordAPIError } from 'discord.js';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { encodeJson, ImageData } from '../src/mj/json-body';
import { isPublicAddress } from '../src/net/addresses';
import { Downloader, DownloadRefused } from '../src/net/downloader';
import { sniffFileType } from '../src/net/file-type';
import { renderCard } from '../src/render/card';
import { EMBED_TOTAL, embedLength } from '../src/render/embed';
import { escapeMarkdown } from '../src/render/text';
import type { TrackedTask } from '../src/store';
import { emptyView } from '../src/tasks/view';
import { trackedTask } from './support/tasks';

describe('addresses the bot never fetches for an API answer', () => {
  const refused = [
    '127.0.0.1', '127.1.2.3', '0.0.0.0', '10.0.0.8', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '100.127.255.254', '224.0.0.251', '239.255.255.250', '240.0.0.1', '255.255.255.255', '192.0.2.10', '198.18.0.1', '203.0.113.7',
    '::', '::1', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '2001:db8::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe', '64:ff9b::10.0.0.1', '2002:7f00:1::', '[::1]', 'fe80::1%eth0', 'not-an-ip', '',
    // v4-compatible (::/96, deprecated), as typed and as WHATWG URL writes it; a public v4 inside is refused too.
    '::127.0.0.1', '[::127.0.0.1]', '::7f00:1', '[::7f00:1]', new URL('http://[::127.0.0.1]/').hostname, '::a9fe:a9fe', '::8.8.8.8', '::808:808',
    '0:0:0:0:0:0:7f00:1', '::0.0.0.2',
  ];
  const allowed = [
    '1.1.1.1', '8.8.8.8', '172.32.0.1', '100.128.0.1', '93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '::ffff:808:808',
    '::1:0:0:1', // just past ::/96
  ];
  it('refuses loopback, private, link-local, CGNAT, multicast, reserved and documentation ranges, v4 and v6, mapped too', () => {
    for (const address of refused) assert.equal(isPublicAddress(address), false, address);
  });
  it('allows public unicast addresses', () => {
    for (const address of allowed) assert.equal(isPublicAddress(address), true, address);
  });

  it('the downloader refuses private literals and local names before connecting, and names that resolve privately when connecting', async () => {
    const downloader = new Downloader({
      trustedOrigins: ['http://127.0.0.1:9'],
      // "cdn.example" resolves to a private address (a rebinding attacker's answer).
      resolve: (hostname, callback) => callback(null, hostname === 'cdn.example' ? [{ address: '10.1.2.3', family: 4 }] : []),
    });
    try {
      for (const url of ['http://127.0.0.1:8080/x.png', 'http://[::1]/x.png', 'http://2130706433/x.png', 'http://localhost/x', 'http://metadata.internal/x', 'file:///etc/passwd', 'ftp://1.1.1.1/x']) {
        await assert.rejects(downloader.download(url, 1024), DownloadRefused, url);
      }
      await assert.rejects(downloader.download('http://cdn.example/x.png', 1024), DownloadRefused, 'checked at connect time');
      assert.equal(downloader.refusal(new URL('http://127.0.0.1:9/x.png')), undefined, 'a trusted origin may be private');
      assert.match(downloader.refusal(new URL('http://127.0.0.1:10/x.png')) ?? '', /not a public address/, 'the port is part of the origin');
    } finally {
      await downloader.close();
    }
  });
});

describe('file types come from the bytes', () => {
  it('knows PNG, JPEG, GIF, WebP, MP4, QuickTime and WebM, and nothing else', () => {
    const ftyp = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from(`ftyp${brand}`)]);
    assert.equal(sniffFileType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))?.ext, 'png');
    assert.equal(sniffFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))?.ext, 'jpg');
    assert.equal(sniffFileType(Buffer.from('GIF89a'))?.ext, 'gif');
    assert.equal(sniffFileType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))?.ext, 'webp');
    assert.equal(sniffFileType(ftyp('isom'))?.ext, 'mp4');
    assert.equal(sniffFileType(ftyp('qt  '))?.ext, 'mov');
    assert.equal(sniffFileType(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))?.ext, 'webm');
    assert.equal(sniffFileType(Buffer.from('<html>')), undefined);
    assert.equal(sniffFileType(Buffer.from('%PDF-1.7')), undefined);
  });
});

describe('request bodies with images', () => {
  const collect = async (body: ReturnType<typeof encodeJson>) => {
    const chunks: Buffer[] = [];
    for await (const chunk of body.chunks()) chunks.push(chunk);
    return Buffer.concat(chunks);
  };

  it('are the same JSON a data-URL would give, with the exact length announced, produced afresh for every attempt', async () => {
    const bytes = Buffer.alloc(200_001, 7);
    bytes[0] = 0x89;
    const value = { prompt: 'a "quoted" cat ✨', base64Array: [new ImageData('image/png', bytes), new ImageData('image/jpeg', Buffer.from('abc'))], skip: undefined, n: 3 };
    const body = encodeJson(value);
    const expected = JSON.stringify({
      prompt: value.prompt,
      base64Array: [`data:image/png;base64,${bytes.toString('base64')}`, 'data:image/jpeg;base64,YWJj'],
      n: 3,
    });
    const first = await collect(body);
    assert.equal(first.toString('utf8'), expected);
    assert.equal(body.length, Buffer.byteLength(expected));
    assert.equal((await collect(body)).toString('utf8'), expected, 'a retry sends the same bytes');
  });

  it('never print file bytes when stringified by accident (logs)', () => {
    assert.equal(JSON.stringify({ image: new ImageData('image/png', Buffer.alloc(5)) }), '{"image":"[image/png image, 5 bytes]"}');
  });
});

const tracked = (overrides: Partial<TrackedTask> = {}) => trackedTask({ title: 'Shorten', prompt: 'p'.repeat(1500), lifecycle: 'delivered', ...overrides });

describe('cards stay inside Discord’s embed limits', () => {
  const long = (word: string, n: number) => `${word} `.repeat(n).trim();
  it('the longest shorten answer (tokens, five prompts, details) and prompt fit in 6,000 characters', () => {
    const text = [
      `## Important tokens\n${long('**token**', 400)}`,
      '## Shortened prompts',
      ...[1, 2, 3, 4, 5].map((n) => `${n}️⃣ ${long(`[prompt${n}](https://evil.example/${n})`, 60)}`),
      `## Details\n${long('weight_0.5', 500)}`,
    ].join('\n');
    const task = tracked({ view: { ...emptyView('SUCCESS'), action: 'SHORTEN', finalPrompt: text, buttons: [] } });
    const embed = renderCard(task).payload.embeds[0]!;
    assert.ok(embedLength(embed) <= EMBED_TOTAL, `embed is ${embedLength(embed)} characters`);
    for (const field of embed.fields ?? []) {
      assert.ok(field.value.length <= 1024 && field.name.length <= 256);
      assert.doesNotMatch(field.value, /(^|[^\\])\\…$/, 'no dangling escape before the cut');
    }
    assert.ok((embed.fields ?? []).some((f) => f.name === 'Prompt 5'), 'all five prompts still shown');
  });

  it('the longest describe answer and a long fail reason fit too', () => {
    const text = [1, 2, 3, 4].map((n) => `${n}️⃣ ${long(`word${n}`, 400)}`).join('\n\n');
    const described = renderCard(tracked({ title: 'Describe', view: { ...emptyView('SUCCESS'), action: 'DESCRIBE', finalPrompt: text } })).payload.embeds[0]!;
    assert.ok(embedLength(described) <= EMBED_TOTAL, `${embedLength(described)}`);
    const failed = renderCard(tracked({ view: { ...emptyView('FAILURE'), failReason: long('[x](https://e.example)', 500) } })).payload.embeds[0]!;
    assert.ok(embedLength(failed) <= EMBED_TOTAL);
    assert.ok((failed.fields?.[0]?.value.length ?? 0) <= 1024);
  });
});

describe('markdown from members and the API is inert', () => {
  const live = (text: string) => [...text.matchAll(/(\\*)\[/g)].some((m) => m[1]!.length % 2 === 0);
  it('no masked link survives, however many there are or however they are pre-escaped', () => {
    for (const text of [
      'a cat [Claim your Nitro](https://evil.example/steal)',
      '[a](https://x.example) and [b](https://y.example)',
      'x \\[a](b) \\[c](https://evil.example)',
      '\\\\[c](https://evil.example)',
    ]) {
      assert.equal(live(escapeMarkdown(text)), false, `${text} → ${escapeMarkdown(text)}`);
    }
  });
  it('no headings, lists, block quotes, subtext or mass mentions', () => {
    const out = escapeMarkdown('# Free Nitro\n- one\n1. two\n> quoted\n-# small\n@everyone @here');
    assert.doesNotMatch(out, /^(# |- |1\. |> |-# )/m);
    assert.doesNotMatch(out, /@everyone|@here/);
  });
  it('links on the card are built from parsed http(s) URLs only, and cannot break out of the link', () => {
    const task = tracked({
      view: { ...emptyView('SUCCESS'), imageUrls: ['javascript:alert(1)', 'https://cdn.example/a b).png?x=(1)', 'http://ok.example/2.png'] },
    });
    const links = renderCard(task).payload.embeds[0]!.fields!.find((f) => f.name === 'Results')!.value;
    assert.doesNotMatch(links, /javascript/);
    assert.match(links, /\[Image 2\]\(https:\/\/cdn\.example\/a%20b%29\.png\?x=%281%29\)/);
    assert.match(links, /\[Image 3\]\(http:\/\/ok\.example\/2\.png\)/);
  });
});

describe('logs never hold tokens, request bodies or files', () => {
  it('a discord.js error is logged by a whitelist: no URL with the token, no body, no files', () => {
    let out = '';
    const logger = createLogger({ level: 'info', pretty: false, destination: new Writable({ write: (chunk, _e, done) => ((out += chunk), done()) }) });
    const token = 'aW50ZXJhY3Rpb246MTIzOnNlY3JldA';
    const error = new DiscordAPIError(
      { message: `Unknown Webhook at /webhooks/123/${token}/messages/@original`, code: 10015 },
      10015,
      404,
      'PATCH',
      `http://127.0.0.1:1/api/v10/webhooks/123/${token}/messages/@original`,
      { files: [{ name: 'a.png', data: Buffer.from('FILEBYTES') }], body: { content: 'x' } },
    );
    logger.warn({ err: error, nested: { err: error } }, 'edit failed');
    assert.match(out, /Unknown Webhook/);
    assert.ok(!out.includes(token), out);
    assert.doesNotMatch(out, /FILEBYTES|RklMRUJZVEVT/);
    assert.doesNotMatch(out, /"(requestBody|rawError|files)":(?!"\[redacted\]")/, 'bodies only ever as [redacted]');
  });

  it('censors secret fields at any depth, in lists, under any case; bytes and errors never go out whole', () => {
    let out = '';
    const logger = createLogger({ level: 'info', pretty: false, destination: new Writable({ write: (chunk, _e, done) => ((out += chunk), done()) }) });
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const secrets = ['SECRET-1', 'SECRET-2', 'SECRET-3', 'SECRET-4', 'SECRET-5', 'SECRET-6'];
    logger.info(
      {
        token: secrets[0],
        config: { DISCORD_TOKEN: secrets[1], request: { headers: { Authorization: `Bearer ${secrets[2]}`, 'mj-api-secret': secrets[3] } } },
        providers: [{ apiKey: secrets[4] }],
        upload: Buffer.from(`FILEBYTES ${secrets[5]}`),
        loop,
        taskId: '42',
      },
      'configured',
    );
    for (const secret of secrets) assert.ok(!out.includes(secret), `${secret} in ${out}`);
    const line = JSON.parse(out) as Record<string, unknown>;
    assert.equal(line.taskId, '42', 'plain fields pass');
    assert.equal(line.upload, '[18 bytes]');
    assert.deepEqual((line.config as { request: unknown }).request, { headers: { Authorization: '[redacted]', 'mj-api-secret': '[redacted]' } });
    assert.match(out, /"name":"loop"/, 'a cycle is cut, not fatal');
  });
});

describe('plain http to another machine', () => {
  const env = (apiUrl: string) => ({ DISCORD_TOKEN: 'x.y.z', DISCORD_APPLICATION_ID: '123456789012345678', MJ_API_URL: apiUrl, STORE_URL: 'memory://' });
  async function warnings(apiUrl: string): Promise<string> {
    let out = '';
    const logger = createLogger({ level: 'warn', pretty: false, destination: new Writable({ write: (chunk, _e, done) => ((out += chunk), done()) }) });
    const app = await createApp(loadConfig(env(apiUrl)), { logger });
    await app.stop();
    return out;
  }
  it('warns at start that the key travels unencrypted', async () => {
    assert.match(await warnings('http://10.0.0.5:8080'), /plain http:\/\/ to another machine: MJ_API_KEY/);
    assert.match(await warnings('http://mj.example.com'), /unencrypted/);
  });
  it('says nothing for https or this machine', async () => {
    for (const url of ['https://mj.example.com', 'http://127.0.0.1:8080', 'http://localhost:8080']) {
      assert.doesNotMatch(await warnings(url), /unencrypted/, url);
    }
  });
});
