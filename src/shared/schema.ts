/**
 * Shapes declared once: a schema gives both the TypeScript type (`Infer<typeof schema>`) and the parser that
 * checks untrusted JSON against it (a trainer's stdout line, a run folder's file, a message from the host or
 * the webview). No eval and no generated code, so it runs under the webview's CSP too. Pure.
 *
 * `parse` returns the value with exactly the declared fields (others are dropped), or the first problem with its
 * path ("settings.epochs: expected a whole number ≥ 1, got \"30\""). Metrics are the one conversion: JSON writes
 * NaN as null, and `metric()` turns that null back into NaN, so a parsed metric is always a number.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; path: string; expected: string; got: string };

export interface Schema<T> {
  /** What the value must be, for a person ("a whole number ≥ 1"). */
  readonly expected: string;
  parse(value: unknown, path: string): Parsed<T>;
}

/** A field an object may leave out. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<S extends Shape> = Simplify<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>;

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** A short description of a value that did not fit, for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function fail(path: string, expected: string, value: unknown): Parsed<never> {
  return { ok: false, path, expected, got: describeValue(value) };
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function leaf<T>(expected: string, accept: (value: unknown) => value is T): Schema<T> {
  return { expected, parse: (value, path) => (accept(value) ? ok(value) : fail(path, expected, value)) };
}

export function string(): Schema<string> {
  return leaf('a string', (value): value is string => typeof value === 'string');
}

export function boolean(): Schema<boolean> {
  return leaf('true or false', (value): value is boolean => typeof value === 'boolean');
}

/** A finite number, optionally a whole one and within bounds. */
export function number(bounds: { integer?: boolean; min?: number; max?: number } = {}): Schema<number> {
  const kind = bounds.integer ? 'a whole number' : 'a number';
  const { min, max } = bounds;
  const expected =
    min !== undefined && max !== undefined ? `${kind} from ${min} to ${max}` : min !== undefined ? `${kind} ≥ ${min}` : max !== undefined ? `${kind} ≤ ${max}` : kind;
  return leaf(
    expected,
    (value): value is number =>
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!bounds.integer || Number.isInteger(value)) &&
      (bounds.min === undefined || value >= bounds.min) &&
      (bounds.max === undefined || value <= bounds.max),
  );
}

/** A whole number ≥ 0 (counts, epochs, pids). */
export function count(min = 0): Schema<number> {
  return number({ integer: true, min });
}

/** A loss or an accuracy: a number, NaN included; JSON's null (how JSON writes NaN) parses as NaN. */
export function metric(): Schema<number> {
  const expected = 'a number (or null for NaN)';
  return { expected, parse: (value, path) => (typeof value === 'number' ? ok(value) : value === null ? ok(Number.NaN) : fail(path, expected, value)) };
}

/** Exactly `value`. */
export function literal<const T extends string | number | boolean>(value: T): Schema<T> {
  return leaf(JSON.stringify(value), (v): v is T => v === value);
}

/** One of `values` (an `as const` list that also declares the union type). */
export function oneOf<const T extends readonly string[]>(values: T): Schema<T[number]> {
  return leaf(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, (v): v is T[number] => typeof v === 'string' && values.includes(v));
}

export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return { expected: `${schema.expected} or null`, parse: (value, path) => (value === null ? ok(null) : schema.parse(value, path)) };
}

/** A field that may be absent (undefined); present, it must fit `schema`. */
export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  return { optional: true, expected: schema.expected, parse: (value, path) => (value === undefined ? ok(undefined) : schema.parse(value, path)) };
}

export function array<T>(item: Schema<T>): Schema<T[]> {
  const expected = `a list of ${item.expected}`;
  return {
    expected,
    parse(value, path) {
      if (!Array.isArray(value)) return fail(path, expected, value);
      const out: T[] = [];
      for (let i = 0; i < value.length; i++) {
        const parsed = item.parse(value[i], join(path, i));
        if (!parsed.ok) return parsed;
        out.push(parsed.value);
      }
      return ok(out);
    },
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose keys are any strings (or exactly `keys`, when given), each value fitting `item`. */
export function record<T, const K extends string = string>(item: Schema<T>, keys?: readonly K[]): Schema<Record<K, T>> {
  const expected = keys ? `an object with ${keys.join(', ')}` : 'an object';
  return {
    expected,
    parse(value, path) {
      if (!isPlainObject(value)) return fail(path, expected, value);
      const out: Record<string, T> = {};
      for (const key of keys ?? Object.keys(value)) {
        const parsed = item.parse(value[key], join(path, key));
        if (!parsed.ok) return parsed;
        out[key] = parsed.value;
      }
      return ok(out as Record<K, T>);
    },
  };
}

export interface ObjectSchema<S extends Shape> extends Schema<ObjectOf<S>> {
  readonly shape: S;
}

/** An object with the fields of `shape` (absent optional fields stay absent; undeclared fields are dropped). */
export function object<const S extends Shape>(shape: S): ObjectSchema<S> {
  const expected = 'an object';
  return {
    shape,
    expected,
    parse(value, path) {
      if (!isPlainObject(value)) return fail(path, expected, value);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(shape)) {
        const parsed = shape[key].parse(value[key], join(path, key));
        if (!parsed.ok) return parsed;
        if (parsed.value !== undefined) out[key] = parsed.value;
      }
      return ok(out as ObjectOf<S>);
    },
  };
}

/** `base`'s fields and `more`'s (like `interface B extends A`). */
export function extend<const A extends Shape, const B extends Shape>(base: ObjectSchema<A>, more: B): ObjectSchema<A & B> {
  return object({ ...base.shape, ...more } as A & B);
}

/** A value that fits `schema` and passes `check` (which says what it wants in `expected`). */
export function refine<T>(schema: Schema<T>, expected: string, check: (value: T) => boolean): Schema<T> {
  return {
    expected,
    parse(value, path) {
      const parsed = schema.parse(value, path);
      return !parsed.ok || check(parsed.value) ? parsed : fail(path, expected, value);
    },
  };
}

type Variants = Record<string, ObjectSchema<Shape>>;
export type TaggedOf<Tag extends string, V extends Variants> = { [K in keyof V & string]: Simplify<{ [P in Tag]: K } & Infer<V[K]>> }[keyof V & string];

export interface TaggedSchema<Tag extends string, V extends Variants> extends Schema<TaggedOf<Tag, V>> {
  readonly tags: readonly (keyof V & string)[];
}

/** A discriminated union: `value[tag]` names the variant, whose other fields `variants[value[tag]]` declares. */
export function tagged<const Tag extends string, const V extends Variants>(tag: Tag, variants: V): TaggedSchema<Tag, V> {
  const tags = Object.keys(variants);
  const expected = `an object whose ${tag} is ${tags.map((t) => JSON.stringify(t)).join(', ')}`;
  return {
    tags,
    expected,
    parse(value, path) {
      if (!isPlainObject(value)) return fail(path, expected, value);
      const kind = value[tag];
      if (typeof kind !== 'string' || !Object.hasOwn(variants, kind)) return fail(join(path, tag), `one of ${tags.map((t) => JSON.stringify(t)).join(', ')}`, kind);
      const parsed = variants[kind].parse(value, path);
      return parsed.ok ? ok({ [tag]: kind, ...parsed.value } as TaggedOf<Tag, V>) : parsed;
    },
  };
}

/** The parsed value, or undefined when `value` does not fit. */
export function parse<T>(schema: Schema<T>, value: unknown): T | undefined {
  const parsed = schema.parse(value, '');
  return parsed.ok ? parsed.value : undefined;
}

/** The parsed value, or what is wrong in one line ("settings.epochs: expected a number, got \"30\""). */
export function parseOrExplain<T>(schema: Schema<T>, value: unknown): { ok: true; value: T } | { ok: false; problem: string } {
  const parsed = schema.parse(value, '');
  if (parsed.ok) return parsed;
  return { ok: false, problem: `${parsed.path === '' ? 'the value' : parsed.path}: expected ${parsed.expected}, got ${parsed.got}` };
}
