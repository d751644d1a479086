import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractMemoryItems } from '../../src/memory/markdown.js';
import { scoreImportance } from '../../src/memory/importance.js';
import { checkMarkdownLimits, DEFAULT_MARKDOWN_LIMITS, nestingDepth, resolveLimits } from '../../src/memory/markdown-limits.js';
import { RunnerError } from '../../src/shared/errors.js';
import { HAS_PUBLIC_CORPUS, MEMORY_FIXTURES, ownMemoryDir, PUBLIC_CORPUS, PUBLIC_CORPUS_TITLE } from '../fixtures/memory.js';

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

  it('"transaction" and "ACTIONS" are no ACTION', () => {
    expect(kindsOf('The transaction completed without ACTIONS or TRANSACTION logs\n')).toEqual([]);
  });

  it('reads markers inside emphasis nested thousands deep', () => {
    const deep = `${'*'.repeat(1500)}TODO: deep emphasis here${'*'.repeat(1500)}`;
    expect(extractMemoryItems(deep).map((item) => [item.text, item.kinds])).toEqual([['TODO: deep emphasis here', ['todo']]]);
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

// The daily notes under a folder, recursively (a corpus holds one folder per workspace).
function dailyNotes(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => /(^|\/)\d{4}-\d{2}-\d{2}\.md$/.test(file))
    .map((file) => path.join(root, file));
}

const itemsOf = (file: string) => extractMemoryItems(readFileSync(file, 'utf8'));

// Every note is read without error; items are long enough and point at a line; an ACTION is
// never found inside another word ("transaction").
function checkNotes(files: readonly string[]): void {
  for (const file of files) {
    for (const item of itemsOf(file)) {
      expect(item.text.length, file).toBeGreaterThanOrEqual(10);
      expect(item.line, file).toBeGreaterThan(0);
      if (item.kinds.includes('action')) expect(item.text).toMatch(/(?<![\p{L}\p{N}_])(ACTION|action:)/iu);
    }
  }
}

describe("the project's daily notes", () => {
  const note = (day: string) => path.join(ownMemoryDir('ops-agent'), `${day}.md`);

  it('are all read without error', () => {
    const files = dailyNotes(MEMORY_FIXTURES);
    expect(files.length).toBeGreaterThanOrEqual(5);
    checkNotes(files);
  });

  it('finds headers, bold items, every marker and keyword bullets where they are', () => {
    const items = itemsOf(note('2026-02-10'));
    expect(items).toContainEqual({ text: 'Gateway upgrade to the new release', kinds: ['header'], line: 3 });
    expect(items).toContainEqual({ text: 'Cron jobs were moved to the new host', kinds: ['bold_item'], line: 7 });
    expect(items.map((item) => [item.line, item.kinds])).toEqual([
      [3, ['header']],
      [5, ['action']],
      [7, ['bold_item']],
      [9, ['important_bullet']],
      [10, ['important_bullet']],
      [13, ['todo']],
      [17, ['note']],
      [19, ['decision']],
      [21, ['blocker']],
      // Nothing from the fenced and indented code (lines 23-28) nor the inline `TODO:` (line 30).
      [32, ['header']],
      [34, ['bold_item']],
      [35, ['important_bullet']],
      [36, ['bold_item']],
    ]);
  });

  it('never turns "transaction" or "ACTIONS" into an ACTION', () => {
    const items = itemsOf(note('2026-02-11'));
    expect(items.filter((item) => item.kinds.includes('action'))).toEqual([]);
    expect(items.at(-1)).toEqual({ text: 'NOTE: quoted note about the deadline of the project milestone', kinds: ['note'], line: 23 });
  });

  it('reads tables, HTML, CJK, emoji, CRLF, long lines and a missing final newline', () => {
    expect(itemsOf(note('2026-02-15')).map((item) => [item.line, item.kinds])).toEqual([
      [3, ['header']],
      [5, ['todo']],
      [13, ['bold_item', 'important_bullet']],
      [14, ['important_bullet']],
      [15, ['bold_item']],
    ]);
    const long = itemsOf(note('2026-02-16'));
    expect(long.map((item) => item.kinds)).toEqual([['header'], ['bold_item'], ['note'], ['important_bullet'], ['blocker']]);
    expect(long[1]!.text).toMatch(/^A very long bullet word1 .* word600 end$/);
  });
});

describe(PUBLIC_CORPUS_TITLE, () => {
  const read = (workspace: string, day: string) => itemsOf(path.join(PUBLIC_CORPUS, workspace, 'memory', `${day}.md`));

  it.runIf(HAS_PUBLIC_CORPUS)('every daily note is read without error', () => {
    const files = dailyNotes(PUBLIC_CORPUS);
    expect(files.length).toBeGreaterThan(30);
    checkNotes(files);
  });

  it.runIf(HAS_PUBLIC_CORPUS)('finds a header, a bold item, a marker and a keyword bullet where they are', () => {
    const clawd = read('AmitabhainArunachala__clawd', '2026-02-12');
    expect(clawd).toContainEqual({ text: 'Critical Achievement: Subagent Pipeline Verified', kinds: ['header'], line: 5 });
    expect(clawd).toContainEqual({ text: 'NATS firewall — Port 4222 still blocked (AGNI VPS)', kinds: ['bold_item'], line: 52 });
    expect(clawd.find((item) => item.line === 7)?.kinds).toEqual(['action']);
    expect(clawd.find((item) => item.line === 103)).toMatchObject({ kinds: ['important_bullet'] });
    const leeloo = read('0xbankable__LeeLoo-diary', '2026-02-10');
    expect(leeloo.some((item) => item.kinds.includes('note'))).toBe(true);
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

describe('nestingDepth', () => {
  const depth = (line: string) => nestingDepth(line, 0, line.length);

  it('counts block quote and list markers and indentation in steps of two columns', () => {
    expect(depth('plain text')).toBe(0);
    expect(depth('- item')).toBe(1);
    expect(depth('  - nested item')).toBe(2);
    expect(depth('    - third level')).toBe(3);
    expect(depth('> quote')).toBe(1);
    expect(depth('> > > quote')).toBe(4);
    expect(depth('>>> quote')).toBe(3);
    expect(depth('1. first')).toBe(1);
    expect(depth('\t- tab indented')).toBe(3);
  });

  it('stops at the first thing that is not a marker or a blank', () => {
    expect(depth('**bold** - not a list')).toBe(0);
    expect(depth('2026-02-10 was a day')).toBe(0);
    expect(depth('-not a marker')).toBe(0);
    expect(depth('1234567890. too many digits')).toBe(0);
  });

  it('is never below the depth the parser builds', () => {
    const staircase = Array.from({ length: 50 }, (_, i) => `${'  '.repeat(i)}- level ${i + 1}`).join('\n');
    const lines = staircase.split('\n');
    expect(depth(lines.at(-1)!)).toBe(50);
    expect(depth(`${'- '.repeat(50)}x`)).toBeGreaterThanOrEqual(50);
    expect(depth(`${'>'.repeat(50)} x`)).toBe(50);
  });
});

describe('checkMarkdownLimits', () => {
  const limits = resolveLimits({ maxLineLength: 100, maxNesting: 10 });

  it('has documented defaults, overridden one by one', () => {
    expect(resolveLimits()).toEqual({ maxFileBytes: 1_048_576, maxLineLength: 10_000, maxNesting: 100 });
    expect(resolveLimits({ maxNesting: 5 })).toEqual({ ...DEFAULT_MARKDOWN_LIMITS, maxNesting: 5 });
  });

  it('accepts notes within the limits, including the own fixtures at the defaults', () => {
    expect(() => checkMarkdownLimits(`${'x'.repeat(100)}\r\n${'  '.repeat(9)}- ten deep\n`, limits, 'memory/a.md')).not.toThrow();
    for (const file of dailyNotes(MEMORY_FIXTURES)) {
      expect(() => checkMarkdownLimits(readFileSync(file, 'utf8'), resolveLimits(), file)).not.toThrow();
    }
  });

  it('refuses a long line, naming the file, the line, the limit and its setting', () => {
    const text = `# title\n\n${'*'.repeat(60)}TODO${'*'.repeat(60)}\n`;
    expect(() => checkMarkdownLimits(text, limits, 'memory/2026-02-16.md')).toThrow(
      'memory/2026-02-16.md: line 3 is 124 characters long, over the limit of 100 (memory.maxLineLength); not captured',
    );
  });

  it('refuses deep nesting of lists and block quotes', () => {
    const staircase = Array.from({ length: 20 }, (_, i) => `${'  '.repeat(i)}- level ${i + 1}`).join('\n');
    expect(() => checkMarkdownLimits(staircase, limits, 'memory/x.md')).toThrow(
      'memory/x.md: line 11 is nested 11 deep, over the limit of 10 (memory.maxNesting); not captured',
    );
    const quotes = `${'>'.repeat(20_000)} deep\n`;
    expect(() => checkMarkdownLimits(quotes, { ...limits, maxLineLength: 100_000 }, 'memory/q.md')).toThrow(/memory\/q\.md: line 1 is nested 20,000 deep/);
  });

  it('reports the error as a memory.overLimit RunnerError with the file', () => {
    try {
      checkMarkdownLimits('x'.repeat(101), limits, 'memory/b.md');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RunnerError);
      expect(error).toMatchObject({ code: 'memory.overLimit', file: 'memory/b.md', retryable: false });
    }
  });
});
