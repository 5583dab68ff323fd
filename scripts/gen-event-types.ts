// Generates src/events/types.generated.ts from schemas/*.avsc.
//   npm run gen:types            writes the file
//   test/events/types.unit.spec.ts fails when the committed file is out of step with the schemas
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EVENT_TYPES, loadCurrentSchemas } from '../src/events/schemas.js';
import { projectRoot } from '../src/platform/projectRoot.js';

type Schema =
  | string
  | Schema[]
  | {
      type: string;
      name?: string;
      fields?: Field[];
      symbols?: string[];
      items?: Schema;
      values?: Schema;
      logicalType?: string;
      doc?: string;
    };
interface Field {
  name: string;
  type: Schema;
  doc?: string;
}

export function generateEventTypes(): string {
  const schemas = loadCurrentSchemas();
  const declared = new Map<string, string>();
  const tsType = (s: Schema): string => {
    if (typeof s === 'string') {
      const primitive: Record<string, string> = {
        null: 'null',
        boolean: 'boolean',
        int: 'number',
        long: 'number',
        float: 'number',
        double: 'number',
        string: 'string',
        bytes: 'Buffer',
      };
      return primitive[s] ?? s.split('.').pop()!;
    }
    if (Array.isArray(s)) return s.map(tsType).join(' | ');
    switch (s.type) {
      case 'record': {
        const name = s.name!.split('.').pop()!;
        if (!declared.has(name)) {
          declared.set(name, '');
          const body = s
            .fields!.map((f) => `${f.doc ? `  /** ${f.doc} */\n` : ''}  ${f.name}: ${tsType(f.type)};`)
            .join('\n');
          declared.set(name, `${s.doc ? `/** ${s.doc} */\n` : ''}export interface ${name} {\n${body}\n}`);
        }
        return name;
      }
      case 'enum': {
        const name = s.name!.split('.').pop()!;
        if (!declared.has(name))
          declared.set(
            name,
            `${s.doc ? `/** ${s.doc} */\n` : ''}export type ${name} = ${s.symbols!.map((x) => `'${x}'`).join(' | ')};`,
          );
        return name;
      }
      case 'array':
        return `Array<${tsType(s.items!)}>`;
      case 'map':
        return `Record<string, ${tsType(s.values!)}>`;
      default:
        return tsType(s.type);
    }
  };
  for (const name of EVENT_TYPES) tsType(schemas.get(name)!.type.schema({ exportAttrs: true }) as Schema);
  return [
    '// Generated from schemas/*.avsc by `npm run gen:types`. Do not edit by hand.',
    '',
    ...[...declared.values()].map((d) => `${d}\n`),
    `export interface EventPayloads {\n${EVENT_TYPES.map((n) => `  ${n}: ${n};`).join('\n')}\n}`,
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = join(projectRoot(), 'src', 'events', 'types.generated.ts');
  writeFileSync(file, generateEventTypes());
  console.log(`wrote ${file}`);
}
