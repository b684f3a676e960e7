import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The tree shows the flow: every folder (the first level under src/, each top-level file of src/ on its own, and
 * commands/) imports only from layers below its own, type-only imports included (a type is a dependency too).
 * A new folder must be placed here; an import upward, or between two folders of one layer, fails.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['src/index'],
  ['src/app'],
  // The APIs of the configuration, built for the app (clients, simulators, health, alerts).
  ['src/apis'],
  ['commands'],
  // Adapters: Discord interactions, the region editor's and the playground's pages, the HTTP server.
  ['src/discord'],
  ['src/editor', 'src/playground'],
  ['src/http'],
  // Task services: the one start path, tracking.
  ['src/tasks'],
  // Cards as payloads; the server's limits; stars, favourites and history (src/community).
  ['src/render', 'src/limits', 'src/community'],
  ['src/prefs'],
  ['src/config'],
  ['src/store'],
  ['src/simulator'],
  // The Midjourney APIs; the chat API that translates prompts.
  ['src/mj', 'src/translator'],
  ['src/net'],
  // Base.
  ['src/errors', 'src/logger', 'src/metrics'],
  ['src/i18n', 'src/secrets'],
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The folder a file belongs to, as the layers name it. */
function unitOf(file: string): string | undefined {
  const [top, second, ...rest] = relative(ROOT, file).split('/');
  if (top === 'commands') return 'commands';
  if (top !== 'src' || !second) return undefined;
  return rest.length === 0 ? `src/${second.replace(/\.ts$/, '')}` : `src/${second}`;
}

function target(from: string, specifier: string): string {
  const path = resolve(dirname(from), specifier);
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, 'index.ts');
  return path.endsWith('.ts') ? path : `${path}.ts`;
}

/** Every import between two folders: `from → to` with the files that make it. */
function folderImports(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of [...filesUnder(join(ROOT, 'src')), ...filesUnder(join(ROOT, 'commands'))]) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(IMPORT)) {
      const to = target(file, (match[1] ?? match[2])!);
      const [a, b] = [unitOf(file), unitOf(to)];
      if (!a || !b || a === b) continue;
      const key = `${a} → ${b}`;
      edges.set(key, [...(edges.get(key) ?? []), `${relative(ROOT, file)} imports ${relative(ROOT, to)}`]);
    }
  }
  return edges;
}

describe('the layers of the tree', () => {
  const rank = new Map(LAYERS.flatMap((layer, i) => layer.map((unit) => [unit, i] as const)));
  const edges = folderImports();

  it('places every folder in a layer', () => {
    const units = new Set([...edges.keys()].flatMap((edge) => edge.split(' → ')));
    for (const file of filesUnder(join(ROOT, 'src'))) units.add(unitOf(file)!);
    assert.deepEqual([...units].filter((unit) => !rank.has(unit)), [], 'add the new folder to LAYERS in test/layers.test.ts');
  });

  it('imports only downward (no cycle between folders, type imports included)', () => {
    const upward = [...edges.entries()]
      .filter(([edge]) => {
        const [a, b] = edge.split(' → ') as [string, string];
        return (rank.get(a) ?? -1) >= (rank.get(b) ?? Number.POSITIVE_INFINITY);
      })
      .map(([edge, files]) => `${edge}: ${files.slice(0, 3).join('; ')}`);
    assert.deepEqual(upward, []);
  });

  it('is read the same way the check reads it (an upward import is found)', () => {
    // The check itself can fail: a file of src/mj that imported src/tasks would be reported.
    const probe = join(ROOT, 'src/mj/client.ts');
    const fake = "import type { Tracker } from '../tasks/tracker';";
    const match = [...fake.matchAll(IMPORT)][0];
    assert.ok(match, 'the pattern reads a type-only import');
    assert.equal(unitOf(target(probe, match[1]!)), 'src/tasks');
    assert.ok((rank.get('src/mj') ?? 0) > (rank.get('src/tasks') ?? 0), 'and src/mj sits below src/tasks');
  });
});
