import { describe, expect, it } from 'vitest';
import { heartbeatMessage } from '../../src/heartbeat/message.js';
import type { Alert } from '../../src/store/alerts.js';

let next = 0;
const alert = (level: string, message: string, task = 'disk_report'): Alert =>
  ({ id: `id${next++}`, task, timestamp: '2026-02-03T17:35:00Z', level, message }) as Alert;

describe('heartbeatMessage', () => {
  it('groups by level, most severe first, with exact counts', () => {
    const text = heartbeatMessage([alert('info', 'a'), alert('critical', 'b'), alert('warning', 'c'), alert('error', 'd')]);
    expect(text).toBe(
      '4 alerts need attention (1 critical, 1 error, 1 warning, 1 info).\nCRITICAL (1):\n- disk_report: b\nERROR (1):\n- disk_report: d\nWARNING (1):\n- disk_report: c\nINFO (1):\n- disk_report: a\n',
    );
    expect(heartbeatMessage([alert('error', 'only one')])).toBe('1 alert needs attention (1 error).\nERROR (1):\n- disk_report: only one\n');
  });

  it('folds repeats into one line with a count, and keeps each alert on one line', () => {
    const text = heartbeatMessage([alert('warning', 'low disk'), alert('warning', 'low\ndisk\u001b[31m'), alert('warning', 'low disk')]);
    expect(text).toBe('3 alerts need attention (3 warning).\nWARNING (3):\n- disk_report: low disk (2×)\n- disk_report: low disk [31m\n');
  });

  it('cuts long messages and counts what does not fit', () => {
    const many = Array.from({ length: 15 }, (_, i) => alert(i < 3 ? 'critical' : 'info', `message ${i} ${'x'.repeat(300)}`));
    const text = heartbeatMessage(many, [], { maxLines: 5, maxMessageLength: 40 });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('15 alerts need attention (3 critical, 12 info).');
    expect(lines.filter((line) => line.startsWith('- '))).toHaveLength(5);
    expect(lines[2]).toBe(`- disk_report: message 0 ${'x'.repeat(29)}…`);
    expect(lines.at(-1)).toBe('…and 10 more.');
    // Critical ones come first, so they are never the ones cut.
    expect(lines.slice(1, 5)).toEqual(['CRITICAL (3):', expect.stringContaining('message 0'), expect.stringContaining('message 1'), expect.stringContaining('message 2')]);
  });

  it('shows an unknown level from an old script as a warning, and the heartbeat\'s own problems first', () => {
    const text = heartbeatMessage([alert('fatal', 'old script')], ['could not create today\'s memory file']);
    expect(text).toBe("Heartbeat problem: could not create today's memory file\n1 alert needs attention (1 warning).\nWARNING (1):\n- disk_report: old script\n");
  });
});
