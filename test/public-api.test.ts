import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const SRC = path.dirname(ENTRY);

// The TypeScript program of the public entry, compiled with the project's own settings.
function entryProgram(): { checker: ts.TypeChecker; exports: ts.Symbol[] } {
  const configFile = ts.findConfigFile(SRC, ts.sys.fileExists, 'tsconfig.json')!;
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configFile));
  const program = ts.createProgram([ENTRY], { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(ENTRY)!)!;
  return { checker, exports: checker.getExportsOfModule(module) };
}

const { checker, exports } = entryProgram();
const resolve = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
const exported = new Set(exports.map(resolve));

// Every named type a declaration mentions (in its signatures, properties and members) that is
// declared in this project's src/.
function projectTypesMentioned(declaration: ts.Node): Set<ts.Symbol> {
  const found = new Set<ts.Symbol>();
  const visit = (node: ts.Node) => {
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
      const name = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
      const symbol = checker.getSymbolAtLocation(name);
      if (symbol) {
        const target = resolve(symbol);
        const file = target.declarations?.[0]?.getSourceFile().fileName ?? '';
        if (file.startsWith(SRC) && !(target.flags & ts.SymbolFlags.TypeParameter)) found.add(target);
      }
    }
    // Function bodies are implementation, not signature.
    if (ts.isBlock(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(declaration);
  return found;
}

describe("the public entry, 'taskrunner'", () => {
  it('is the framework, not the internals', () => {
    const names = exports.map((symbol) => symbol.name).sort();
    expect(names).toEqual(
      [
        'ALERT_LEVELS', 'Alert', 'AlertInbox', 'AlertLevel', 'AlertOptions', 'AlertStore', 'AppendAlertOptions', 'BrokenTaskFile', 'DiscoverOptions',
        'DiscoveredTask', 'EXIT', 'HeldTaskLock', 'HomeSource', 'LocationOptions', 'LogLevel', 'Logger', 'MemoryConfig', 'NewAlert', 'NonRetryableError', 'RaiseOptions', 'RaisedAlert',
        'RetryConfig', 'RunHistory', 'RunOutcome', 'RunRecord', 'RunStatus', 'RunTaskOptions', 'RunnerConfig', 'RunnerError',
        'RunnerErrorCode', 'RunnerErrorOptions', 'Settings', 'Task', 'TaskArgument', 'TaskClass', 'TaskConfig',
        'TaskContext', 'TaskDefaults', 'TaskOption', 'TaskOptionValues', 'TaskPaths', 'TaskRegistry', 'TaskResult',
        'UpdateJsonOptions', 'WorkspaceSource', 'createStderrLogger', 'discoverTasks', 'findTask', 'isTaskClass', 'loadSettings', 'runTask',
      ].sort(),
    );
  });

  it('exports every type its exported signatures use', () => {
    const missing: string[] = [];
    for (const symbol of exported) {
      for (const declaration of symbol.declarations ?? []) {
        for (const used of projectTypesMentioned(declaration)) {
          if (!exported.has(used)) missing.push(`${symbol.name} uses ${used.name}`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  it('documents every export', () => {
    const undocumented = [...exported]
      .filter((symbol) => symbol.declarations?.[0]?.getSourceFile().fileName.startsWith(SRC))
      .filter((symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() === '')
      .map((symbol) => symbol.name);
    expect(undocumented).toEqual([]);
  });
});
