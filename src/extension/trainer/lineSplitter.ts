import { StringDecoder } from 'node:string_decoder';

/** Longer lines are cut (the rest up to the next line ending is dropped): a stream of garbage cannot fill memory. */
export const DEFAULT_MAX_LINE_LENGTH = 16 * 1024 * 1024;

/**
 * Cuts a byte stream into lines across chunk boundaries: a line may arrive in several chunks, a chunk may
 * hold several lines, and a UTF-8 character may be split between two chunks. "\n" and "\r\n" end a line.
 * A line longer than `maxLineLength` comes out cut to that length, once, and the rest of it is dropped.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** True while dropping the rest of an over-long line. */
  private dropping = false;

  constructor(private readonly maxLineLength = DEFAULT_MAX_LINE_LENGTH) {}

  /** The complete lines this chunk finishes, without their line endings. */
  push(chunk: Buffer | string): string[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const parts = this.pending.split('\n');
    this.pending = parts.pop() ?? '';
    const lines: string[] = [];
    for (const part of parts) {
      if (this.dropping) this.dropping = false;
      else lines.push(stripCarriageReturn(part.slice(0, this.maxLineLength)));
    }
    if (this.pending.length > this.maxLineLength) {
      if (!this.dropping) lines.push(this.pending.slice(0, this.maxLineLength));
      this.dropping = true;
      this.pending = '';
    }
    return lines;
  }

  /** The last line when the stream ended without a line ending (or nothing). */
  end(): string[] {
    const rest = this.pending + this.decoder.end();
    const dropping = this.dropping;
    this.pending = '';
    this.dropping = false;
    return rest.length > 0 && !dropping ? [stripCarriageReturn(rest.slice(0, this.maxLineLength))] : [];
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
