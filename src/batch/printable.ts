/**
 * Queue text is anyone's input. Printed raw, an escape sequence in it would drive the terminal
 * (move the cursor, retitle the window, hide lines), so human output shows C0 and C1 control
 * characters and DEL as visible `\x1b` escapes. JSON output needs none of this: JSON escapes them.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
