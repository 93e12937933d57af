import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { readmeSetup } from './support/readmeSetup.js';

const ROOT = join(import.meta.dirname, '..');
const setup = readmeSetup();

/** Type-checks virtual files placed in the repository (so packages resolve as in an app of it); returns the diagnostics. */
function typecheck(files: Record<string, string>): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const virtual = new Map(Object.entries(files).map(([name, text]) => [join(ROOT, 'test', '__readme__', name), text]));
  const host = ts.createCompilerHost(config.options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  host.readFile = (f) => virtual.get(f) ?? readFile(f);
  host.getSourceFile = (f, v, ...rest) => (virtual.has(f) ? ts.createSourceFile(f, virtual.get(f)!, v) : getSourceFile(f, v, ...rest));
  const program = ts.createProgram([...virtual.keys()], { ...config.options, noEmit: true, types: ['node'] }, host);
  // Only the snippets' own diagnostics: checking every file they import would take many times longer.
  const diagnostics = [...virtual.keys()].flatMap((f) => {
    const file = program.getSourceFile(f)!;
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  });
  return diagnostics.map((d) => `${d.file?.fileName.slice(ROOT.length + 1) ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** What the app snippet assumes around it: an Express app whose auth middleware set `req.user`, and a `summarise`. */
const APP_TS = `import express from 'express';
import { withAttribution } from '@genai-cost/otel';

declare global {
  namespace Express {
    interface Request {
      user: { id: string; plan: string; orgId: string };
    }
  }
}
declare function summarise(text: string): Promise<string>;
const app = express();
`;

describe("the README's setup for an existing OpenTelemetry app", () => {
  it('type-checks as written: the ES module setup, and the attribution with Express types and next', () => {
    // The second file shows what the check catches: a signature that infers its arguments from next, as withAttribution had.
    const inferOnly = `${APP_TS}declare function attribute<A extends unknown[], R>(a: object, fn: (...args: A) => R, ...args: A): R;
app.use((req, res, next) => attribute({ userId: req.user.id }, next));
`;
    expect(typecheck({ 'telemetry.mts': setup.esm, 'app.mts': APP_TS + setup.app, 'infer.mts': inferOnly })).toEqual([
      'test/__readme__/infer.mts: Expected 3 arguments, but got 2.',
    ]);
  });

  it('states the loader hook ES module instrumentations need, and the Node.js versions', () => {
    expect(setup.esm).toContain("register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);");
    expect(setup.esm).toContain('node --import ./telemetry.mjs app.mjs');
    expect(setup.cjs).toContain('node --require ./telemetry.cjs app.js');
    expect(setup.text).toContain('`require()` loads from\nNode.js 20.19 on');
    expect(setup.install.split('\n')[0]).toBe('npm install @genai-cost/otel @genai-cost/clickhouse');
  });

  it('gives no library package a top-level await, so require() can load it', () => {
    for (const pkg of ['pricing', 'otel', 'budget', 'clickhouse', 'receiver']) {
      const sources = ts.sys.readDirectory(join(ROOT, 'packages', pkg, 'src'), ['.ts'], ['**/*.test.ts', '**/test-support/**']);
      for (const file of sources) {
        const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
        const topLevelAwait = source.statements.some((s) => hasAwait(s));
        expect(topLevelAwait, file).toBe(false);
      }
    }
  });
});

/** Whether `node` awaits outside any function. */
function hasAwait(node: ts.Node): boolean {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) return true;
  return ts.forEachChild(node, hasAwait) ?? false;
}
