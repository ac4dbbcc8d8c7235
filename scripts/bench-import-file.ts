/**
 * The knowledge file the write benchmark imports (issue 9): one new source whose text is `count`
 * sentences, and `count` events, each quoting its own sentence, each with one PERPETRATOR
 * participation of `actor` citing the same sentence. Written as a stream, so a file of 100,000
 * events never exists in memory as a whole.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

export const benchSentence = (tag: string, i: number) => `Report ${tag} item ${i}: the group was said to have acted in the area that day.`;

export interface BenchFile {
  /** The knowledge file (.json); the text file is beside it. */
  path: string;
  sourceSlug: string;
  text: string;
}

async function writeAll(path: string, pieces: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const piece of pieces) if (!out.write(piece)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

export async function writeBenchKnowledgeFile(
  dir: string,
  name: string,
  { count, actor, place, tag = name }: { count: number; actor: string; place: string | null; tag?: string },
): Promise<BenchFile> {
  const sentences = Array.from({ length: count }, (_, i) => benchSentence(tag, i));
  const text = sentences.join(' ');
  await writeAll(join(dir, `${name}.txt`), [text]);
  const source = {
    slug: name,
    title: `Bench report ${name}`,
    publisher: 'Bench Wire',
    author: null,
    url: null,
    published: { text: null, earliest: null, latest: null, precision: 'RANGE' },
    textFile: `${name}.txt`,
    sha256: createHash('sha256').update(text).digest('hex'),
  };
  const day = (i: number) => `2023-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
  function* json(): Generator<string> {
    yield `{"source":${JSON.stringify(source)},"places":[],"doctrines":[],"actors":[],"events":[\n`;
    for (let i = 0; i < count; i++) {
      const event = {
        slug: `${name}-${i}`, title: `Bench import event ${i}`, kind: 'ATTACK', description: null,
        date: { text: day(i), earliest: day(i), latest: day(i), precision: 'DAY' }, place, killed: null, wounded: null,
        confidence: 80, quotes: [sentences[i]],
      };
      yield `${i ? ',\n' : ''}${JSON.stringify(event)}`;
    }
    yield '],"adherences":[],"relationships":[],"participations":[\n';
    for (let i = 0; i < count; i++) {
      yield `${i ? ',\n' : ''}${JSON.stringify({ event: `${name}-${i}`, actor, role: 'PERPETRATOR', confidence: 80, quotes: [sentences[i]] })}`;
    }
    yield ']}\n';
  }
  const path = join(dir, `${name}.json`);
  await writeAll(path, json());
  return { path, sourceSlug: name, text };
}
