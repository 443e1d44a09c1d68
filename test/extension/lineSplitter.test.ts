import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from '../../src/extension/trainer/lineSplitter';

function splitAll(chunks: (string | Buffer)[]): string[] {
  const splitter = new LineSplitter();
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

test('a line split across chunks comes out whole, once', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push('{"type":"hel'), []);
  assert.deepEqual(splitter.push('lo"}\n{"type"'), ['{"type":"hello"}']);
  assert.deepEqual(splitter.push(':"done"}\n'), ['{"type":"done"}']);
  assert.deepEqual(splitter.end(), []);
});

test('several lines in one chunk, CRLF endings and empty lines', () => {
  assert.deepEqual(splitAll(['a\r\nb\n\nc\r', '\n']), ['a', 'b', '', 'c']);
});

test('a carriage return split from its line feed across chunks is still stripped', () => {
  assert.deepEqual(splitAll(['first\r', '\nsecond\n']), ['first', 'second']);
});

test('the last line without a line ending comes out at end()', () => {
  assert.deepEqual(splitAll(['one\ntw', 'o']), ['one', 'two']);
});

test('a UTF-8 character split between two byte chunks is decoded intact', () => {
  const bytes = Buffer.from('{"message":"Größe: 180 px → ok ✓"}\n', 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3)); // cuts through multi-byte characters
  assert.deepEqual(splitAll(chunks), ['{"message":"Größe: 180 px → ok ✓"}']);
});

test('byte-by-byte delivery of many lines', () => {
  const text = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n';
  const chunks = [...Buffer.from(text)].map((byte) => Buffer.from([byte]));
  assert.deepEqual(splitAll(chunks), Array.from({ length: 50 }, (_, i) => `line ${i}`));
});
