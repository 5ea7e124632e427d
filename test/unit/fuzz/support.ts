import fc from 'fast-check';
import type { z } from 'zod';
import { describeValue, formatPath, type Problem } from '../../../contract/errors';

/*
 * What every fuzz suite shares: the tally each prints at the end, arbitraries for hostile values (odd strings,
 * boundary numbers, JSON-ish trees), structural mutations of a valid example, the check that a refusal names
 * a field that exists, and the recorder that tells reads from writes on a mocked AWS client.
 *
 * STRONGROOM_FUZZ_SCALE multiplies every suite's number of runs (e.g. 20 for a long run before a release).
 */

const SCALE = Number(process.env.STRONGROOM_FUZZ_SCALE ?? '1');

/** A suite's number of runs, scaled by STRONGROOM_FUZZ_SCALE. */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * (Number.isFinite(SCALE) && SCALE > 0 ? SCALE : 1)));
}

/** What one fuzz run saw: every input is accepted or rejected with a named field; anything else fails the run. */
export class Tally {
  public inputs = 0;
  public accepted = 0;
  public rejected = 0;
  public unhandled = 0;
  /** Writes (to the vault, a target, a queue, a function) caused by a rejected input. */
  public writes = 0;
  private readonly notes: string[] = [];

  public constructor(public readonly surface: string) {}

  public accept(): void {
    this.inputs++;
    this.accepted++;
  }

  public reject(writes: number): void {
    this.inputs++;
    this.rejected++;
    this.writes += writes;
  }

  /** An exception that is not a typed refusal: counted, then thrown so that fast-check shrinks and reports it. */
  public unhandledError(error: unknown): never {
    this.inputs++;
    this.unhandled++;
    throw error;
  }

  /** Extra figures for the summary line ("3 batches of up to 6 records"). */
  public note(text: string): void {
    this.notes.push(text);
  }

  public line(): string {
    const extra = this.notes.length > 0 ? `; ${this.notes.join('; ')}` : '';
    return `fuzz ${this.surface}: ${this.inputs} inputs, ${this.rejected} rejected with a named field, ${this.accepted} accepted, ${this.unhandled} unhandled, ${this.writes} writes${extra}`;
  }

  /** The figures a passing run must show: both sides of the contract reached, nothing unhandled, no write on bad input. */
  public expectSound(minimum: { accepted: number; rejected: number }): void {
    expect({ unhandled: this.unhandled, writes: this.writes, counted: this.accepted + this.rejected }).toEqual({
      unhandled: 0,
      writes: 0,
      counted: this.inputs,
    });
    expect(this.accepted).toBeGreaterThanOrEqual(minimum.accepted);
    expect(this.rejected).toBeGreaterThanOrEqual(minimum.rejected);
  }
}

/** Print each tally's line once the suite is done (jest shows console output of a passing test file). */
export function printTalliesAfterAll(...tallies: Tally[]): void {
  afterAll(() => {
    // biome-ignore lint/suspicious/noConsole: the figures of each fuzz run, printed once at the end
    for (const tally of tallies) console.log(tally.line());
  });
}

// ---------------------------------------------------------------------------------------------------------
// Hostile values

/** Strings a parser should survive: unicode graphemes, raw binary, control characters, IAM/S3 specials, long ones. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 70 }),
  fc.constantFrom(
    '',
    ' ',
    '\t',
    '\n',
    '\u0000',
    '\u202e',
    '\ufeff',
    '..',
    '/',
    '*',
    '?',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, as a user might type it
    '${aws:username}',
    '__proto__',
    'constructor',
    'null',
    'undefined',
    'NaN',
    '-1',
    '1e400',
    'true',
    '😀',
    'İstanbul',
    'ǅ',
    'a'.repeat(1025),
    'x'.repeat(70_000),
  ),
);

/** Numbers on and beside every limit the schemas set, and some no JSON file can hold. */
export const boundaryNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    2,
    3,
    5,
    7,
    9,
    10,
    59,
    60,
    100,
    101,
    255,
    256,
    900,
    901,
    1000,
    1001,
    3600,
    3601,
    10080,
    10081,
    10240,
    10241,
    36500,
    36501,
    2 ** 31,
    2 ** 53,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    0.5,
    1.5,
    -1e-9,
  ),
  fc.integer(),
  fc.double(),
);

/** Any JSON-ish value, nested a few levels: wrong types, empty containers, objects with odd keys. */
export const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    boundaryNumber,
    oddString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A value of another kind than `original`, or one close to it: what a typo or a wrong edit produces. */
function nearValue(original: unknown): fc.Arbitrary<unknown> {
  if (typeof original === 'string') {
    return fc.oneof(
      fc.constant(original.toUpperCase()),
      fc.constant(` ${original}`),
      fc.constant(original.slice(0, -1)),
      fc.constant(original + original),
      fc.constant(Number(original)),
      oddString.map((s) => original + s),
      oddString.map((s) => s + original),
    );
  }
  if (typeof original === 'number') {
    return fc.constantFrom(original + 1, original - 1, -original, original + 0.5, original * 1000, String(original), [original]);
  }
  if (typeof original === 'boolean') return fc.constantFrom(!original, String(original), Number(original));
  if (Array.isArray(original)) return fc.constantFrom([], [...original, ...original], original[0], {});
  return fc.constantFrom({}, [], null);
}

// ---------------------------------------------------------------------------------------------------------
// Structural mutations of a valid example

type Path = readonly PropertyKey[];

/** Every path in a JSON-ish value, the root included. */
export function pathsOf(value: unknown, path: Path = []): Path[] {
  const here = [path];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...path, i]))];
  if (value !== null && typeof value === 'object')
    return [...here, ...Object.keys(value).flatMap((k) => pathsOf((value as Record<string, unknown>)[k], [...path, k]))];
  return here;
}

function nodeAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** Set an own property (never the prototype, even for "__proto__"). */
function setOwn(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export type Mutation =
  | { readonly op: 'delete'; readonly path: Path }
  | { readonly op: 'set'; readonly path: Path; readonly value: unknown }
  | { readonly op: 'add'; readonly path: Path; readonly key: string; readonly value: unknown }
  | { readonly op: 'duplicate'; readonly path: Path };

/** Apply mutations to a deep copy; a mutation whose path no longer exists (an earlier one removed it) is skipped. */
export function applyMutations(base: unknown, mutations: readonly Mutation[]): unknown {
  const root = { value: structuredClone(base) };
  for (const m of mutations) {
    const full: Path = ['value', ...m.path];
    const parent = nodeAt(root, full.slice(0, -1));
    const last = full[full.length - 1] as PropertyKey;
    if (parent === null || typeof parent !== 'object') continue;
    const node = (parent as Record<PropertyKey, unknown>)[last];
    if (m.op === 'delete') {
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else delete (parent as Record<PropertyKey, unknown>)[last];
    } else if (m.op === 'set') setOwn(parent, last, m.value);
    else if (m.op === 'add' && node !== null && typeof node === 'object' && !Array.isArray(node)) setOwn(node, m.key, m.value);
    else if (m.op === 'duplicate' && Array.isArray(node) && node.length > 0) node.push(structuredClone(node[node.length - 1]));
  }
  return root.value;
}

/**
 * One to `max` structural mutations of `base`: a field removed, replaced (by a value of another type, a value
 * near the original, a boundary number, an odd string, any JSON), an extra field added (a typo of a sibling,
 * a field of elsewhere in the schema, an odd key), an array element duplicated.
 */
export function mutationsOf(base: unknown, options: { knownKeys?: readonly string[]; max?: number } = {}) {
  const paths = pathsOf(base);
  const inner = paths.filter((p) => p.length > 0);
  const objects = paths.filter((p) => {
    const node = nodeAt(base, p);
    return node !== null && typeof node === 'object' && !Array.isArray(node);
  });
  const arrays = paths.filter((p) => Array.isArray(nodeAt(base, p)) && (nodeAt(base, p) as unknown[]).length > 0);
  const keys = fc.oneof(oddString, fc.constantFrom('__proto__', 'constructor', ...(options.knownKeys ?? ['x'])));
  const onFields: fc.Arbitrary<Mutation>[] =
    inner.length === 0
      ? []
      : [
          fc.constantFrom(...inner).map((path): Mutation => ({ op: 'delete', path })),
          fc
            .constantFrom(...inner)
            .chain((path) =>
              fc
                .oneof(nearValue(nodeAt(base, path)), boundaryNumber, oddString, jsonish)
                .map((value): Mutation => ({ op: 'set', path, value })),
            ),
        ];
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    ...onFields,
    fc
      .tuple(fc.constantFrom(...objects), keys, jsonish)
      .map(([path, key, value]): Mutation => ({ op: 'add', path, key: typoOf(key, path, base), value })),
    ...(arrays.length > 0 ? [fc.constantFrom(...arrays).map((path): Mutation => ({ op: 'duplicate', path }))] : []),
  );
  return fc.array(mutation, { minLength: 1, maxLength: options.max ?? 4 });
}

/** A key close to one the object already has, when the generated key names none (otherwise the key itself). */
function typoOf(key: string, path: Path, base: unknown): string {
  const node = nodeAt(base, path);
  if (key !== 'x' || node === null || typeof node !== 'object' || Array.isArray(node)) return key;
  const siblings = Object.keys(node);
  const sibling = siblings[key.length % Math.max(1, siblings.length)];
  return sibling ? `${sibling}s` : key;
}

/** Mutated copies of `base`, each with the mutations that made it (shown by fast-check on failure). */
export function mutated(base: unknown, options: { knownKeys?: readonly string[]; max?: number } = {}) {
  return mutationsOf(base, options).map((mutations) => applyMutations(base, mutations));
}

// ---------------------------------------------------------------------------------------------------------
// Refusals that name a field

/** `a.b[3].c` -> `a.b[].c`: a field of the schema, whatever the index. */
export const withoutIndexes = (field: string) => field.replace(/\[\d+\]/g, '[]');

const schemaFieldsCache = new WeakMap<z.ZodType, Set<string>>();

/** Every field path a zod schema declares, array indexes as `[]`: objects, arrays, optionals, defaults, unions. */
export function schemaFields(schema: z.ZodType): Set<string> {
  const cached = schemaFieldsCache.get(schema);
  if (cached) return cached;
  const fields = new Set<string>();
  const walk = (node: any, path: PropertyKey[], depth: number): void => {
    if (!node?._zod || depth > 30) return;
    const def = node._zod.def;
    fields.add(withoutIndexes(formatPath(path)));
    switch (def.type) {
      case 'object':
        for (const [key, child] of Object.entries(def.shape)) walk(child, [...path, key], depth + 1);
        break;
      case 'array':
        walk(def.element, [...path, 0], depth + 1);
        break;
      case 'union':
        for (const option of def.options) walk(option, path, depth + 1);
        break;
      case 'pipe':
        walk(def.in, path, depth + 1);
        walk(def.out, path, depth + 1);
        break;
      case 'intersection':
        walk(def.left, path, depth + 1);
        walk(def.right, path, depth + 1);
        break;
      default:
        if (def.innerType) walk(def.innerType, path, depth + 1);
    }
  };
  walk(schema, [], 0);
  schemaFieldsCache.set(schema, fields);
  return fields;
}

/** The formatted path of every node of an input: a refusal may name any of them (an unknown key, a wrong value). */
export function inputFields(input: unknown, prefix: Path = []): Set<string> {
  return new Set(pathsOf(input).map((p) => formatPath([...prefix, ...p])));
}

/**
 * Why these problems do not name fields properly, or undefined when they do: at least one problem, each with a
 * field that `known` recognises and a non-empty received value and expectation.
 */
export function problemsDefect(problems: readonly Problem[] | undefined, known: (field: string) => boolean): string | undefined {
  if (!problems || problems.length === 0) return 'a refusal without problems';
  for (const p of problems) {
    if (typeof p.field !== 'string' || p.field.trim() === '') return `a problem without a field: ${JSON.stringify(p)}`;
    if (!known(p.field)) return `a problem naming a field that is neither in the input nor in the schema: ${p.field}`;
    if (typeof p.received !== 'string' || p.received === '') return `a problem without the value received: ${p.field}`;
    if (typeof p.expected !== 'string' || p.expected.trim() === '') return `a problem without what was expected: ${p.field}`;
  }
  return undefined;
}

/**
 * Why a problem's `received` is not the value the input holds at its field (JSON-encoded and shortened by
 * describeValue), or undefined when each is; `except` names problems whose received value is a description.
 */
export function receivedDefect(
  problems: readonly Problem[],
  input: unknown,
  prefix: Path = [],
  except: (problem: Problem) => boolean = () => false,
): string | undefined {
  const values = new Map(pathsOf(input).map((p) => [formatPath([...prefix, ...p]), nodeAt(input, p)] as const));
  for (const p of problems) {
    if (except(p) || !values.has(p.field)) continue;
    const expected = describeValue(values.get(p.field));
    if (p.received !== expected) return `${p.field}: received is ${p.received}, but the input holds ${expected}`;
  }
  return undefined;
}

/** A field checker over an input's own paths and the fields its schemas declare, all under `prefix` (`body`). */
export function fieldsOf(input: unknown, schemas: readonly z.ZodType[], prefix: Path = []): (field: string) => boolean {
  const present = inputFields(input, prefix);
  const declared = new Set(schemas.flatMap((s) => [...schemaFields(s)].map((f) => under(prefix, f))));
  return (field) => present.has(field) || declared.has(withoutIndexes(field));
}

function under(prefix: Path, field: string): string {
  if (prefix.length === 0) return field;
  const head = withoutIndexes(formatPath(prefix));
  if (field === '(top level)') return head;
  return `${head}${field.startsWith('[') ? '' : '.'}${field}`;
}

// ---------------------------------------------------------------------------------------------------------
// Writes on mocked clients

/** One request a mocked client received that changes something (anything but a Get, Head or List). */
export interface RecordedWrite {
  readonly command: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly input: Record<string, unknown>;
}

const READ = /^(Get|Head|List|Describe|Select)/;

/** Every write a mocked client received since its history was last reset, in order. */
export function writesOf(mock: { calls(): ReadonlyArray<{ readonly args: readonly unknown[] }> }): RecordedWrite[] {
  return mock.calls().flatMap((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
    const name = command.constructor.name;
    if (READ.test(name)) return [];
    const { Bucket, Key } = command.input as { Bucket?: string; Key?: string };
    return [
      {
        command: name,
        ...(Bucket !== undefined ? { bucket: Bucket } : {}),
        ...(Key !== undefined ? { key: Key } : {}),
        input: command.input,
      },
    ];
  });
}
