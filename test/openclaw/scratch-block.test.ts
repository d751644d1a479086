import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currentScratchBlock,
  findScratchBlock,
  SCRATCH_BEGIN,
  SCRATCH_END,
  scratchBlock,
  withoutScratchBlock,
  withScratchBlock,
} from '../../src/openclaw/scratch-block.js';

const block = scratchBlock('Run `runner heartbeat` and relay it.');
const newer = scratchBlock('Run `runner heartbeat --home /srv` and relay it.');

describe('the taskrunner block of the heartbeat scratch', () => {
  it('is the body between the two markers, ending with a newline', () => {
    expect(block).toBe(`${SCRATCH_BEGIN}\nRun \`runner heartbeat\` and relay it.\n${SCRATCH_END}\n`);
  });

  it('goes into an empty or missing scratch as it is', () => {
    expect(withScratchBlock(null, block)).toEqual({ content: block, replaced: false, separatorAdded: false });
    expect(withScratchBlock('', block)).toEqual({ content: block, replaced: false, separatorAdded: false });
  });

  it("goes after the operator's text, with a newline between them only when that text lacks one", () => {
    expect(withScratchBlock('Check the inbox.\n', block)).toEqual({ content: `Check the inbox.\n${block}`, replaced: false, separatorAdded: false });
    expect(withScratchBlock('Check the inbox.', block)).toEqual({ content: `Check the inbox.\n${block}`, replaced: false, separatorAdded: true });
  });

  it("replaces only the block's bytes, wherever it is, keeping the operator's text around it", () => {
    const content = `  # My checklist\r\n- water the plants  \n\n${block}\nP.S. written after the install\n`;
    const { content: replaced, replaced: wasReplaced } = withScratchBlock(content, newer);
    expect(wasReplaced).toBe(true);
    expect(replaced).toBe(`  # My checklist\r\n- water the plants  \n\n${newer}\nP.S. written after the install\n`);
    expect(currentScratchBlock(replaced)).toBe(newer);
  });

  it('installs the same block a second time without a change', () => {
    const once = withScratchBlock('notes', block).content;
    expect(withScratchBlock(once, block).content).toBe(once);
  });

  it("removal gives back the operator's exact bytes, with the newline it added and only that", () => {
    for (const operator of ['', 'Check the inbox.', 'Check the inbox.\n', 'a\n\n', '\n', 'tabs\t\r\n  and spaces  ']) {
      const installed = withScratchBlock(operator, block);
      const reinstalled = withScratchBlock(installed.content, newer);
      expect(withoutScratchBlock(reinstalled.content, installed.separatorAdded)).toEqual({ content: operator, found: true });
    }
  });

  it('removal with text after the block takes out the block alone', () => {
    const installed = withScratchBlock('mine', block);
    const edited = `${installed.content}more of mine\n`;
    expect(withoutScratchBlock(edited, installed.separatorAdded).content).toBe('mine\nmore of mine\n');
  });

  it('removal finds nothing in a scratch without a block and changes nothing', () => {
    expect(withoutScratchBlock('just mine\n', true)).toEqual({ content: 'just mine\n', found: false });
  });

  it("keeps any operator text byte for byte through install, reinstall and removal", () => {
    const text = fc.string({ unit: 'binary', maxLength: 300 }).filter((value) => !/taskrunner/.test(value));
    fc.assert(
      fc.property(text, (operator) => {
        const installed = withScratchBlock(operator, block);
        expect(installed.content.startsWith(operator)).toBe(true);
        const again = withScratchBlock(installed.content, newer).content;
        expect(withoutScratchBlock(again, installed.separatorAdded).content).toBe(operator);
      }),
    );
  });

  it.each([
    ['a BEGIN without its END', `mine\n${SCRATCH_BEGIN}\nhalf a block\n`, /line 2: "<!-- BEGIN taskrunner .*" has no "<!-- END taskrunner -->" after it/],
    ['an END without a BEGIN', `mine\n${SCRATCH_END}\n`, /line 2: "<!-- END taskrunner -->" has no "<!-- BEGIN taskrunner/],
    ['two BEGINs', `${SCRATCH_BEGIN}\n${SCRATCH_BEGIN}\nx\n${SCRATCH_END}\n`, /line 2: a second "<!-- BEGIN taskrunner .*" before the "<!-- END taskrunner -->" of the block begun on line 1/],
    ['two blocks', `${block}mine\n${block}`, /line 5: a second taskrunner block/],
  ])('refuses %s, naming the line, so nothing is changed', (_what, content, message) => {
    expect(() => findScratchBlock(content)).toThrow(message);
    expect(() => withScratchBlock(content, block)).toThrow(/broken taskrunner markers: .*\(nothing was changed\)$/);
    expect(() => withoutScratchBlock(content, false)).toThrow(/broken taskrunner markers/);
  });

  it('finds the markers on lines of their own only, indented or with CRLF too', () => {
    expect(findScratchBlock(`see ${SCRATCH_BEGIN} inline\n`)).toBeUndefined();
    const crlf = `mine\r\n  ${SCRATCH_BEGIN}\r\nbody\r\n${SCRATCH_END}\r\nafter`;
    expect(findScratchBlock(crlf)).toEqual({ start: 6, end: crlf.indexOf('after') });
  });
});
