import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractMemoryItems } from '../../src/memory/markdown.js';
import { scoreImportance } from '../../src/memory/importance.js';
import { FIXTURES } from '../helpers/cli.js';

const MEMORY_FIXTURES = path.join(FIXTURES, 'openclaw-memory');

function kindsOf(markdown: string): Array<[string, string[]]> {
  return extractMemoryItems(markdown).map((item) => [item.text, item.kinds]);
}

describe('extractMemoryItems', () => {
  it('takes headers of level 2 and deeper, with their line', () => {
    const items = extractMemoryItems('# Daily log title\n\n## Deployment of the gateway\n\ntext\n\n### Smaller section here\n');
    expect(items).toEqual([
      { text: 'Deployment of the gateway', kinds: ['header'], line: 3 },
      { text: 'Smaller section here', kinds: ['header'], line: 7 },
    ]);
  });

  it('takes list items that start with bold text, and keyword bullets', () => {
    expect(kindsOf('- **Gateway** restarted after the upgrade\n- plain item without anything\n- we fixed the cron job today\n')).toEqual([
      ['Gateway restarted after the upgrade', ['bold_item']],
      ['we fixed the cron job today', ['important_bullet']],
    ]);
  });

  it('finds markers as whole words only', () => {
    expect(kindsOf('TODO: rotate the API keys soon\n\nThe transaction was logged fine.\n\nNOTES about TODOs here.\n')).toEqual([
      ['TODO: rotate the API keys soon', ['todo']],
    ]);
    expect(kindsOf('Decision: move the store to SQLite\n\nwe should note that this is fine\n')).toEqual([
      ['Decision: move the store to SQLite', ['decision']],
    ]);
    expect(kindsOf('BLOCKER waiting on the vendor API\n')).toEqual([['BLOCKER waiting on the vendor API', ['blocker']]]);
  });

  it('reads nothing from code blocks or inline code markers', () => {
    const markdown = '```\n## not a header\n- **not bold** TODO: no\n```\n\n    TODO: indented code\n\nsee `TODO:` in the docs here\n';
    expect(extractMemoryItems(markdown)).toEqual([]);
  });

  it('keyword words must start a word', () => {
    expect(kindsOf('- the prefixed value is unchanged\n- two problems were found today\n')).toEqual([
      ['two problems were found today', ['important_bullet']],
    ]);
  });

  it('skips items under ten characters', () => {
    expect(kindsOf('## Short\n\n- **Bold**\n')).toEqual([]);
  });

  it('survives odd content: tables, HTML, CJK, emoji, long lines, no trailing newline', () => {
    const odd = [
      '| a | b |\n|---|---|\n| TODO: table cell item | x |',
      '<div>\n## not markdown inside html\n</div>',
      '## 今日の決定事項とメモ 🚀',
      `- **${'long '.repeat(20_000)}end**`,
      '- [x] **Shipped** the release to production',
      '> NOTE: quoted note in a blockquote',
    ].join('\n\n');
    const items = extractMemoryItems(odd);
    expect(items.map((item) => item.kinds)).toEqual([['todo'], ['header'], ['bold_item'], ['bold_item', 'important_bullet'], ['note']]);
    expect(items[3]!.text).toBe('[x] Shipped the release to production');
  });
});

describe('the real daily files', () => {
  const files = readdirSync(MEMORY_FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md') && file !== 'SOURCES.md')
    .map((file) => path.join(MEMORY_FIXTURES, file));

  it('are all read without error', () => {
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) {
      const items = extractMemoryItems(readFileSync(file, 'utf8'));
      for (const item of items) {
        expect(item.text.length).toBeGreaterThanOrEqual(10);
        expect(item.line).toBeGreaterThan(0);
      }
    }
  });

  const read = (workspace: string, day: string) =>
    extractMemoryItems(readFileSync(path.join(MEMORY_FIXTURES, workspace, 'memory', `${day}.md`), 'utf8'));

  it('finds a header, a bold item, a marker and a keyword bullet where they are', () => {
    const clawd = read('AmitabhainArunachala__clawd', '2026-02-12');
    expect(clawd).toContainEqual({ text: 'Critical Achievement: Subagent Pipeline Verified', kinds: ['header'], line: 5 });
    expect(clawd).toContainEqual({ text: 'NATS firewall — Port 4222 still blocked (AGNI VPS)', kinds: ['bold_item'], line: 52 });
    expect(clawd.find((item) => item.line === 7)?.kinds).toEqual(['action']);
    expect(clawd.find((item) => item.line === 103)).toMatchObject({ kinds: ['important_bullet'] });
    const leeloo = read('0xbankable__LeeLoo-diary', '2026-02-10');
    expect(leeloo.some((item) => item.kinds.includes('note'))).toBe(true);
  });

  it('never turns "transaction" into an ACTION', () => {
    for (const file of files) {
      for (const item of extractMemoryItems(readFileSync(file, 'utf8'))) {
        if (item.kinds.includes('action')) expect(item.text).toMatch(/(?<![\p{L}\p{N}_])(ACTION|action:)/iu);
      }
    }
    expect(kindsOf('The transaction completed without ACTIONS or TRANSACTION logs\n')).toEqual([]);
  });
});

describe('scoreImportance', () => {
  it('adds the SPEC boosts in exact hundredths and caps at 1', () => {
    expect(scoreImportance('plain words here')).toBe(0.5);
    expect(scoreImportance('Blocker on the deploy')).toBe(0.8);
    expect(scoreImportance('We decided on a new task')).toBe(0.75);
    expect(scoreImportance('project milestone')).toBe(0.6);
    expect(scoreImportance(`urgent decision for the project task ${'x'.repeat(200)}`)).toBe(1);
    expect(scoreImportance('the todo list')).toBe(0.55);
  });
});
