/** A file's type as its bytes say, whatever it is called or served as. */
export interface FileType {
  mime: string;
  ext: string;
  kind: 'image' | 'video';
}

const ascii = (data: Buffer, start: number, end: number) => data.subarray(start, end).toString('latin1');

const SIGNATURES: Array<[FileType, (b: Buffer) => boolean]> = [
  [{ mime: 'image/png', ext: 'png', kind: 'image' }, (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  [{ mime: 'image/jpeg', ext: 'jpg', kind: 'image' }, (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  [{ mime: 'image/gif', ext: 'gif', kind: 'image' }, (b) => ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a'],
  [{ mime: 'image/webp', ext: 'webp', kind: 'image' }, (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP'],
  // ISO base media: a `ftyp` box first; QuickTime brands are still played by Discord as video.
  [{ mime: 'video/quicktime', ext: 'mov', kind: 'video' }, (b) => ascii(b, 4, 8) === 'ftyp' && ascii(b, 8, 10) === 'qt'],
  [{ mime: 'video/mp4', ext: 'mp4', kind: 'video' }, (b) => ascii(b, 4, 8) === 'ftyp'],
  [{ mime: 'video/webm', ext: 'webm', kind: 'video' }, (b) => b.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))],
];

/** The type of a file by its first bytes; undefined when it is none of the images and videos a card may carry. */
export function sniffFileType(data: Buffer): FileType | undefined {
  return SIGNATURES.find(([, test]) => test(data))?.[0];
}
