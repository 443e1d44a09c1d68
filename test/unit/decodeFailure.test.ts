/**
 * describeDecodeFailure: a cut-short JPEG or PNG is called truncated whatever the decoder's message (libvips
 * reports a JPEG cut inside its header as "corrupt header", sometimes with nothing after it), and a whole
 * file keeps the decoder's own meaning.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describeDecodeFailure } from '../../src/trainer/data/decodeFailure';
import { writeImage } from '../helpers/imageFixtures';

const CUT_SHORT = /^the file is cut short \(truncated\), e\.g\. an unfinished download or copy \(decoder: /;

describe('describeDecodeFailure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'decode-failure-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function cutCopy(format: 'jpeg' | 'png', keep: (length: number) => number): Promise<string> {
    const whole = await writeImage({ file: join(dir, `whole.${format}`), format, width: 64, height: 64 });
    const bytes = readFileSync(whole);
    const cut = join(dir, `cut-${keep(bytes.length)}.${format}`);
    writeFileSync(cut, bytes.subarray(0, keep(bytes.length)));
    return cut;
  }

  it('a JPEG cut inside its header, reported by the decoder as "corrupt header" with no detail: cut short', async () => {
    const file = await cutCopy('jpeg', () => 100);
    const reason = await describeDecodeFailure({ file, error: new Error('Input file has corrupt header: ') });
    assert.match(reason, CUT_SHORT);
    assert.match(reason, /\(decoder: Input file has corrupt header\)$/);
  });

  it('a JPEG cut in its image data: cut short, from the decoder message or the missing end marker', async () => {
    const file = await cutCopy('jpeg', (length) => length - 10);
    assert.match(await describeDecodeFailure({ file, error: new Error('VipsJpeg: Premature end of input file') }), CUT_SHORT);
    assert.match(await describeDecodeFailure({ file, error: new Error('some other decoder wording') }), CUT_SHORT);
  });

  it('a PNG without its IEND chunk: cut short', async () => {
    const file = await cutCopy('png', (length) => length - 12);
    assert.match(await describeDecodeFailure({ file, error: new Error('Input file has corrupt header: pngload: libspng read error') }), CUT_SHORT);
  });

  it('a whole JPEG keeps the decoder message (not called truncated)', async () => {
    const file = await writeImage({ file: join(dir, 'complete.jpeg'), format: 'jpeg' });
    assert.equal(await describeDecodeFailure({ file, error: new Error('Input file has corrupt header: bad Huffman table.') }), 'Input file has corrupt header: bad Huffman table');
  });

  it('a text file named .jpg is a text file, not a truncated image', async () => {
    const file = join(dir, 'notes.jpg');
    writeFileSync(file, 'hello, this is not a picture\n');
    assert.match(await describeDecodeFailure({ file, error: new Error('unsupported image format') }), /^it is a text file \(starting "hello, this is not a picture"\), not an image$/);
  });
});
