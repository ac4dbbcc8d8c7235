/** COPY's text format as the bulk loaders write it: every value comes back as it was sent. */
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { copyCell, copyLines, copyLine } from '../src/db/copy.ts';

const sql = postgres(inject('serverUrl'), { max: 1, onnotice: () => {} });
afterAll(() => sql.end());

describe('COPY cells', () => {
  it('round-trips backslashes, tabs, line ends, quotes, nulls, numbers, booleans and arrays', async () => {
    const texts = ['plain', 'a\\b', 'tab\there', 'line\nbreak', 'cr\rlf\r\n', '\\n is not a line end', 'side_a: X\nside_b: Y\\', '', 'ünïcödé 😀', '\\\\\t\n'];
    const rows = texts.map((text, i) => [text, i, i % 2 === 0, [text, `"${text}"`, 'x,y']] as const);
    const back = await sql.begin(async (tx) => {
      await tx.unsafe('create temp table copied (text text, n integer, flag boolean, list text[], nothing text) on commit drop');
      await copyLines(tx, 'copied', ['text', 'n', 'flag', 'list', 'nothing'], rows.map(([text, n, flag, list]) => copyLine([text, n, flag, list, null])));
      return tx<{ text: string; n: number; flag: boolean; list: string[]; nothing: string | null }[]>`select * from copied order by n`;
    });
    expect(back).toEqual(rows.map(([text, n, flag, list]) => ({ text, n, flag, list: [...list], nothing: null })));
  });

  it('leaves text without specials as it is', () => {
    expect(copyCell('Report 12: the group acted.')).toBe('Report 12: the group acted.');
    expect(copyCell('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyCell(null)).toBe('\\N');
    expect(copyCell(12.5)).toBe('12.5');
  });
});
