/**
 * Why an image file could not be decoded, in words a person can act on: the decoder's own message
 * ("unsupported image format") says little about an empty file, a web page saved as .jpg, a broken
 * link or a file this user may not read. Looks at the file only after the decoder failed.
 */
import { promises as fs } from 'node:fs';

const SNIFF_BYTES = 512;

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The first bytes as text when they look like text (no NUL, mostly printable), else null. */
function asText(bytes: Buffer): string | null {
  if (bytes.length === 0 || bytes.includes(0)) return null;
  const text = bytes.toString('utf8');
  const printable = text.replace(/[^\t\n\r\x20-\x7e\u00a0-\uffff]/g, '').length;
  return printable / text.length > 0.95 ? text : null;
}

function quoteStart(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ');
  return JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}…` : line);
}

/** The first bytes of `file` (up to a few hundred), to tell what it holds. */
export async function readFileStart(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What is wrong with the file itself (missing, empty, unreadable, text), or null when it looks like image data. */
async function fileProblem(file: string): Promise<string | null> {
  let link = false;
  try {
    link = (await fs.lstat(file)).isSymbolicLink();
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 'the file is missing (moved or deleted after the folder was read)';
  }
  let size: number;
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) return 'it is a folder, not an image file';
    if (!stat.isFile()) return 'it is not a regular file (a device, socket or named pipe)';
    size = stat.size;
  } catch (error) {
    if (errnoOf(error) === 'ELOOP') return 'it is a symbolic link loop (the link points back to itself)';
    if (errnoOf(error) === 'ENOENT' && link) return 'it is a broken symbolic link (the file it points to does not exist)';
    return `it cannot be read (${errnoOf(error) ?? String(error)})`;
  }
  if (size === 0) return 'the file is empty (0 bytes), e.g. a download or copy that never finished';
  let start: Buffer;
  try {
    start = await readFileStart(file);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied: this user may not read it (give read access, e.g. chmod a+r)';
    return `it cannot be read (${code ?? String(error)})`;
  }
  const text = asText(start);
  if (text !== null) {
    return /^\s*(<!doctype html|<html|<head|<body)/i.test(text)
      ? `it is a web page (HTML, starting ${quoteStart(text)}), not an image: probably an error page saved under an image name`
      : `it is a text file (starting ${quoteStart(text)}), not an image`;
  }
  return null;
}

const JPEG_START = Buffer.from([0xff, 0xd8, 0xff]);
const JPEG_END = Buffer.from([0xff, 0xd9]);
const PNG_START = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_END = Buffer.from('IEND');
const TAIL_BYTES = 64;

/** The last bytes of `file` (up to `TAIL_BYTES`). */
async function readFileEnd(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, size - length);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * True when the file starts as a JPEG or PNG but lacks the marker every complete one ends with (JPEG's EOI
 * 0xFFD9, PNG's IEND chunk): a cut-short file, whatever the decoder said (libvips reports a JPEG cut inside
 * its header as "corrupt header", sometimes with no detail at all).
 */
async function endsEarly(file: string): Promise<boolean> {
  try {
    const start = await readFileStart(file);
    const end = await readFileEnd(file);
    if (start.subarray(0, JPEG_START.length).equals(JPEG_START)) return !end.includes(JPEG_END);
    if (start.subarray(0, PNG_START.length).equals(PNG_START)) return !end.includes(PNG_END);
  } catch {
    // Unreadable now: the decoder's own message is all there is.
  }
  return false;
}

/** The reason for a file that ends early, with what the decoder said. */
function cutShort(decoderDetail: string): string {
  return `the file is cut short (truncated), e.g. an unfinished download or copy (decoder: ${decoderDetail})`;
}

/** The decoder's message on one line. */
function oneLine(decoderMessage: string): string {
  return decoderMessage.replace(/\s+/g, ' ').trim();
}

/** What the decoder's message means, for the common cases; `truncated` when it says the file ends early. */
function decoderProblem(decoderMessage: string): { text: string; truncated: boolean } {
  const message = oneLine(decoderMessage).replace(/\.$/, '');
  if (/pixel limit/i.test(message)) {
    return { text: 'it has too many pixels (more than 16384 x 16384): shrink it first', truncated: false };
  }
  if (/premature end|truncated|unexpected end|end of (file|stream|data)/i.test(message)) return { text: cutShort(message), truncated: true };
  if (/unsupported image format/i.test(message)) return { text: 'its content is not a JPEG, PNG, GIF, BMP or WebP image (whatever its name says)', truncated: false };
  return { text: message, truncated: false };
}

/** Why `file` could not be decoded (no file name, no advice): e.g. "the file is empty (0 bytes), ...". */
export async function describeDecodeFailure(options: { file: string; error: unknown }): Promise<string> {
  const { file, error } = options;
  const problem = await fileProblem(file);
  if (problem !== null) return problem;
  const decoderMessage = error instanceof Error ? error.message : String(error);
  const described = decoderProblem(decoderMessage);
  // The decoder may not say so (libvips: "corrupt header" for a JPEG cut inside its header): the file's end tells.
  if (!described.truncated && (await endsEarly(file))) return cutShort(oneLine(decoderMessage).replace(/[.:]$/, ''));
  return described.text;
}
