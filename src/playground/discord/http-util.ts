import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ParsedBody {
  json: any;
  files: { field: string; name: string; contentType: string; data: Buffer }[];
}

/** Serves a file of the local CDN (to the bot, and to the playground page); false when there is none. */
export function serveCdnFile(cdn: ReadonlyMap<string, { data: Buffer; contentType: string }>, path: string, res: ServerResponse): boolean {
  const file = cdn.get(path);
  if (!file) return false;
  res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.data.length), 'cache-control': 'private, max-age=3600' });
  res.end(file.data);
  return true;
}

/** JSON or multipart/form-data (payload_json + files[n]), as discord.js sends them. */
export async function parseBody(req: IncomingMessage, raw: Buffer): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { json: undefined, files: [] };
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    let json: any;
    const files: ParsedBody['files'] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = JSON.parse(value);
      } else {
        files.push({ field, name: value.name, contentType: value.type, data: Buffer.from(await value.arrayBuffer()) });
      }
    }
    return { json, files };
  }
  return { json: JSON.parse(raw.toString('utf8')), files: [] };
}

/** Discord's error envelope. */
export const discordError = (code: number, message: string) => ({ code, message });
