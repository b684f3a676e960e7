/** A response body as bytes, read no further than `maxBytes`: undefined when it is (or says it is) larger. */
export async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): void },
  declaredBytes: number,
  maxBytes: number,
): Promise<Buffer | undefined> {
  if (declaredBytes > maxBytes) {
    body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
