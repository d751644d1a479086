import { statSync } from 'node:fs';
import { RunnerError } from '../shared/errors.js';
import { readTrustedFile } from '../security/trusted-file.js';
import { parseJsonText } from '../store/json-text.js';

/** A config file is a few hundred bytes; anything near this is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Read and parse a config file: an existing regular file, trusted (see security/trusted-file.ts),
 * UTF-8, holding a JSON object. Every error names the file. The object is not validated here.
 */
export function readConfigObject(file: string): Record<string, unknown> {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats) throw invalid(file, `config file not found: ${file}`);
  if (stats.isDirectory()) throw invalid(file, `config file ${file} is a folder; expected a JSON file such as ${file}/runner.config.json`);
  const text = decodeUtf8(readTrustedFile(file, 'config file', MAX_CONFIG_BYTES), file);
  const value = parseJsonText(text, file);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(file, `invalid config ${file}: expected a JSON object ({ … }), got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

// Windows editors and PowerShell's `>` write UTF-16; JSON.parse would then report a garbled
// "Unexpected token" somewhere, so say what is actually wrong.
function decodeUtf8(bytes: Buffer, file: string): string {
  const utf16Bom = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16Bom || bytes.includes(0)) {
    throw invalid(file, `config file ${file} is not UTF-8 (it looks like UTF-16); save it as UTF-8`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid(file, `config file ${file} is not valid UTF-8; save it as UTF-8`);
  }
}

function invalid(file: string, message: string): RunnerError {
  return new RunnerError('config.invalid', message, { file });
}
