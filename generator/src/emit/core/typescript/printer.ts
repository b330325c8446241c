/**
 * The one TypeScript printer behind every target that writes TypeScript. Emitters build a file
 * as a list of statements: exact text, or a declaration described as plain data (an interface,
 * a class, a function, a type alias, a variable statement). The printer lays them out as the
 * TypeScript formatter would (two-space indentation, one blank line between top-level
 * statements, between class methods and after a block statement), with no compiler loaded:
 * printing is string building, so it costs next to nothing on the cold path.
 *
 * The structures use ts-morph's field names (a subset), and `generator/test/ts-printer.test.ts`
 * holds the printer to ts-morph plus the TypeScript formatter, byte for byte, on every file the
 * targets print for several specs. Text inside a statement is placed line by line at its
 * indentation, so a statement must not break a line inside a string or template literal.
 */

export type Scope = 'public' | 'protected' | 'private';

export interface TypeParameterStructure {
  name: string;
  constraint?: string;
}

export interface ParameterStructure {
  name: string;
  type?: string;
  initializer?: string;
}

interface Documented {
  /** JSDoc blocks, each printed as it is (one line → `/** text *\/`). */
  docs?: string[];
}

interface SignatureParts {
  typeParameters?: TypeParameterStructure[];
  parameters?: ParameterStructure[];
  returnType?: string;
}

export interface PropertySignatureStructure extends Documented {
  name: string;
  type?: string;
  hasQuestionToken?: boolean;
  isReadonly?: boolean;
}

export interface MethodSignatureStructure extends Documented, SignatureParts {
  name: string;
}

export interface PropertyDeclarationStructure extends Documented {
  name: string;
  type?: string;
  initializer?: string;
  scope?: Scope;
  isStatic?: boolean;
  isAbstract?: boolean;
  isReadonly?: boolean;
}

export interface MethodDeclarationStructure extends Documented, SignatureParts {
  name: string;
  scope?: Scope;
  isStatic?: boolean;
  isAbstract?: boolean;
  /** The body (omitted for an abstract method). */
  statements?: string[];
}

export interface InterfaceStructure extends Documented {
  kind: 'interface';
  name: string;
  isExported?: boolean;
  typeParameters?: TypeParameterStructure[];
  extends?: string[];
  properties?: PropertySignatureStructure[];
  methods?: MethodSignatureStructure[];
}

export interface ClassStructure extends Documented {
  kind: 'class';
  name: string;
  isExported?: boolean;
  isAbstract?: boolean;
  typeParameters?: TypeParameterStructure[];
  extends?: string;
  implements?: string[];
  properties?: PropertyDeclarationStructure[];
  methods?: MethodDeclarationStructure[];
}

export interface FunctionStructure extends Documented, SignatureParts {
  kind: 'function';
  name: string;
  isExported?: boolean;
  statements: string[];
}

export interface TypeAliasStructure extends Documented {
  kind: 'typeAlias';
  name: string;
  isExported?: boolean;
  typeParameters?: TypeParameterStructure[];
  type: string;
}

export interface VariableStructure extends Documented {
  kind: 'variable';
  isExported?: boolean;
  declarationKind: 'const' | 'let';
  declarations: { name: string; type?: string; initializer?: string }[];
}

export type Declaration = InterfaceStructure | ClassStructure | FunctionStructure | TypeAliasStructure | VariableStructure;

/** A statement of a generated file: exact text, or a declaration to lay out. */
export type Statement = string | Declaration;

const INDENT = '  ';

/** `text` with every non-empty line moved right by `pad`. */
function place(text: string, pad: string): string {
  if (!pad) return text;
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

/** Text that continues a line already at `pad`: its later lines move right by `pad`. */
function continued(text: string, pad: string): string {
  if (!pad) return text;
  return text
    .split('\n')
    .map((l, i) => (i > 0 && l ? pad + l : l))
    .join('\n');
}

function jsdoc(text: string, pad: string): string {
  const lines = text.split(/\r?\n/);
  if (lines.length <= 1) return `${pad}/** ${text}${text.endsWith(' ') ? '' : ' '}*/\n`;
  const body = lines[0] === '' ? lines.slice(1) : lines;
  return `${pad}/**\n${body.map((l) => `${pad} *${l ? ` ${l}` : ''}\n`).join('')}${pad} */\n`;
}

function docs(d: Documented, pad: string): string {
  return (d.docs ?? []).map((t) => jsdoc(t, pad)).join('');
}

function typeParameters(list: TypeParameterStructure[] | undefined): string {
  if (!list?.length) return '';
  return `<${list.map((t) => (t.constraint ? `${t.name} extends ${t.constraint}` : t.name)).join(', ')}>`;
}

const typed = (type: string | undefined) => (type ? `: ${type}` : '');
const initialised = (init: string | undefined) => (init ? ` = ${init}` : '');

function signature(s: SignatureParts): string {
  const params = (s.parameters ?? []).map((p) => `${p.name}${typed(p.type)}${initialised(p.initializer)}`);
  return `${typeParameters(s.typeParameters)}(${params.join(', ')})${typed(s.returnType)}`;
}

function modifiers(m: { isExported?: boolean; scope?: Scope; isStatic?: boolean; isAbstract?: boolean; isReadonly?: boolean }): string {
  return (
    (m.isExported ? 'export ' : '') +
    (m.scope ? `${m.scope} ` : '') +
    (m.isStatic ? 'static ' : '') +
    (m.isAbstract ? 'abstract ' : '') +
    (m.isReadonly ? 'readonly ' : '')
  );
}

/** The last character of `text` that is not white space, '' if none. */
function lastVisible(text: string): string {
  let i = text.length - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return i < 0 ? '' : text[i];
}

/** How many line breaks `text` ends with (a `\r` before one does not count). */
function trailingLineBreaks(text: string): number {
  let n = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === '\n') n++;
    else if (text[i] !== '\r') break;
  }
  return n;
}

/** What to add after `text` so that it ends in a blank line (nothing when it already does). */
function blankLineAfter(text: string): string {
  return '\n'.repeat(Math.max(0, 2 - trailingLineBreaks(text)));
}

/**
 * A body `{ ... }` whose statements sit at `pad`: each on its own line, and a blank line after
 * a statement that ends a block (`}`), as the formatter leaves it.
 */
function block(statements: string[], pad: string, outerPad: string): string {
  const parts: string[] = [];
  let last = '';
  for (const s of statements) {
    if (last) parts.push(lastVisible(last) === '}' ? blankLineAfter(last) : last.endsWith('\n') ? '' : '\n');
    parts.push((last = place(s, pad)));
  }
  if (last && !last.endsWith('\n')) parts.push('\n');
  return `{\n${parts.join('')}${outerPad}}`;
}

function interfaceText(s: InterfaceStructure, pad: string): string {
  const inner = pad + INDENT;
  const members = [
    ...(s.properties ?? []).map(
      (p) => `${docs(p, inner)}${inner}${p.isReadonly ? 'readonly ' : ''}${p.name}${p.hasQuestionToken ? '?' : ''}${continued(typed(p.type), inner)};`,
    ),
    ...(s.methods ?? []).map((m) => `${docs(m, inner)}${inner}${m.name}${continued(signature(m), inner)};`),
  ];
  const heritage = s.extends?.length ? `extends ${s.extends.join(', ')} ` : '';
  return `${docs(s, pad)}${pad}${modifiers(s)}interface ${s.name}${typeParameters(s.typeParameters)} ${heritage}{\n${members.map((m) => `${m}\n`).join('')}${pad}}`;
}

function classText(s: ClassStructure, pad: string): string {
  const inner = pad + INDENT;
  const properties = (s.properties ?? []).map((p) => `${docs(p, inner)}${inner}${modifiers(p)}${p.name}${continued(typed(p.type) + initialised(p.initializer), inner)};`);
  const methods = (s.methods ?? []).map((m) => {
    const head = `${docs(m, inner)}${inner}${modifiers(m)}${m.name}${signature(m)}`;
    return m.isAbstract ? `${head};` : `${head} ${block(m.statements ?? [], inner + INDENT, inner)}`;
  });
  const heritage = (s.extends ? `extends ${s.extends} ` : '') + (s.implements?.length ? `implements ${s.implements.join(', ')} ` : '');
  const members = [properties.join('\n'), ...methods].filter((m) => m).join('\n\n');
  return `${docs(s, pad)}${pad}${modifiers(s)}class ${s.name}${typeParameters(s.typeParameters)} ${heritage}{\n${members}${members ? '\n' : ''}${pad}}`;
}

function declarationText(d: Declaration, pad: string): string {
  switch (d.kind) {
    case 'interface':
      return interfaceText(d, pad);
    case 'class':
      return classText(d, pad);
    case 'function':
      return `${docs(d, pad)}${pad}${modifiers(d)}function ${d.name}${signature(d)} ${block(d.statements, pad + INDENT, pad)}`;
    case 'typeAlias':
      return `${docs(d, pad)}${pad}${modifiers(d)}type ${d.name}${typeParameters(d.typeParameters)} = ${continued(d.type, pad)};`;
    case 'variable': {
      const list = d.declarations.map((v) => `${v.name}${typed(v.type)}${initialised(v.initializer)}`).join(', ');
      return `${docs(d, pad)}${pad}${modifiers(d)}${d.declarationKind} ${continued(list, pad)};`;
    }
  }
}

/**
 * A whole file: the statements one after another with a blank line between each (empty text
 * statements, such as a file's empty import list, take no room), ending with a line break.
 */
export function printStatements(statements: Statement[]): string {
  const texts = statements.map((s) => (typeof s === 'string' ? s : declarationText(s, ''))).filter((t) => t.length > 0);
  const parts: string[] = [];
  texts.forEach((t, i) => {
    if (i > 0) parts.push(blankLineAfter(texts[i - 1]));
    parts.push(t);
  });
  const last = texts[texts.length - 1];
  if (last !== undefined && !last.endsWith('\n')) parts.push('\n');
  return parts.join('');
}

/** How a file is printed; tests substitute a reference printer (see withTsPrinter). */
export type FilePrinter = (fileName: string, statements: Statement[]) => string;

let current: FilePrinter = (_fileName, statements) => printStatements(statements);

/** Prints one generated TypeScript file. `fileName` names it to a reference printer only. */
export function printTsFile(fileName: string, statements: Statement[]): string {
  return current(fileName, statements);
}

/** Runs `action` with every file printed by `printer` instead (tests compare against ts-morph). */
export function withTsPrinter<T>(printer: FilePrinter, action: () => T): T {
  const previous = current;
  current = printer;
  try {
    return action();
  } finally {
    current = previous;
  }
}
