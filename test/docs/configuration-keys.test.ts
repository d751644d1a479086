import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { sectionsOf } from './markdown.js';

/**
 * Every key of `RunnerConfig` as a dotted path (`retry.attempts`, `tasks.<name>.timeout`,
 * `alerts.push.minLevel`), read from the documented interface with TypeScript's checker. The
 * type-check ties that interface to the schema the config file is validated with
 * (src/config/config.ts), so these are the keys a config file may have.
 */
function configKeyPaths(): string[] {
  const file = path.join(REPO_ROOT, 'src', 'config', 'runner-config.ts');
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const declaration = source.statements.find((node): node is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(node) && node.name.text === 'RunnerConfig');
  if (!declaration) throw new Error(`no interface RunnerConfig in ${file}`);
  const paths: string[] = [];
  const walk = (type: ts.Type, prefix: string) => {
    // `false | { … }` (alerts.push), `T | undefined` (every optional key): the object parts.
    const parts = type.isUnion() ? type.types : [type];
    for (const part of parts) {
      if (!(part.flags & ts.TypeFlags.Object) || checker.isArrayType(part)) continue;
      for (const property of part.getProperties()) {
        const key = `${prefix}${property.name}`;
        if (!paths.includes(key)) paths.push(key);
        walk(checker.getNonNullableType(checker.getTypeOfSymbol(property)), `${key}.`);
      }
      // `tasks`: a record keyed by task name.
      for (const index of checker.getIndexInfosOfType(part)) walk(index.type, `${prefix}<name>.`);
    }
  };
  walk(checker.getTypeAtLocation(declaration), '');
  return paths;
}

/** The keys the table of docs/configuration.md's "Every key" section documents: its rows' first cells. */
function documentedKeys(markdown: string): string[] {
  const section = sectionsOf(markdown).get('Every key') ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!);
}

describe('docs/configuration.md', () => {
  const keys = configKeyPaths();
  const documented = documentedKeys(readFileSync(path.join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8'));

  it('reads the keys from the code', () => {
    expect(keys).toEqual(expect.arrayContaining(['workspace', 'retry.attempts', 'tasks.<name>.schedule', 'alerts.push.minLevel', 'queue.url']));
    expect(keys.length).toBeGreaterThan(40);
  });

  it('documents every key of the config in its table, and no key the config does not have', () => {
    expect(keys.filter((key) => !documented.includes(key))).toEqual([]);
    expect(documented.filter((key) => !keys.includes(key))).toEqual([]);
  });
});
