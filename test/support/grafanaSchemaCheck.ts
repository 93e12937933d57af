import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '../..');

/**
 * Type-checks JSON documents against a type of `@grafana/schema`, as `satisfies` would in code:
 * each document becomes an object literal in a virtual module, so unknown keys (excess
 * properties), missing required keys and wrong value types are all reported. String enums of the
 * schema are compared by their values (`Json<T>` of packages/grafana/src/types.ts).
 */
export function schemaErrors(typeName: string, documents: Record<string, string>): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const virtual = new Map<string, string>();
  for (const [name, json] of Object.entries(documents)) {
    const file = join(ROOT, 'test', `__schema_check_${virtual.size}.ts`);
    virtual.set(
      file,
      `import type { ${typeName} } from '@grafana/schema';\nimport type { Json } from '../packages/grafana/src/types.js';\n// ${name}\nexport const document = ${json.trim()} satisfies Json<${typeName}>;\n`,
    );
  }
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (file, language, ...rest) => {
    const text = virtual.get(file);
    return text === undefined ? getSourceFile(file, language, ...rest) : ts.createSourceFile(file, text, language);
  };
  host.fileExists = (file) => virtual.has(file) || fileExists(file);
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file === undefined ? '' : `${d.file.text.split('\n')[2]!.slice(3)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
