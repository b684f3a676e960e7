import { Agent, interceptors, request } from 'undici';

const downloads = new Agent({ connections: 16 }).compose(interceptors.redirect({ maxRedirections: 3 }));

export interface Download {
  data: Buffer;
  contentType: string;
}

/**
 * Downloads a result once so the card can carry it as an attachment (API and Discord CDN links expire).
 * Returns undefined when the file is larger than `maxBytes` (the caller links it instead).
 */
export async function downloadFile(url: string, maxBytes: number, timeoutMs = 30_000): Promise<Download | undefined> {
  const response = await request(url, { method: 'GET', dispatcher: downloads, signal: AbortSignal.timeout(timeoutMs) });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`download answered HTTP ${response.statusCode}`);
  }
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    await response.body.dump();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      response.body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  const contentType = String(response.headers['content-type'] ?? 'application/octet-stream').split(';')[0] ?? '';
  return { data: Buffer.concat(chunks), contentType };
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
};

export function fileExtension(contentType: string, url: string): string {
  const known = EXTENSIONS[contentType];
  if (known) return known;
  const fromUrl = /\.([a-z0-9]{3,4})(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return fromUrl ?? 'bin';
}
