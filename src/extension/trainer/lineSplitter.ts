import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream into lines across chunk boundaries: a line may arrive in several chunks, a chunk may
 * hold several lines, and a UTF-8 character may be split between two chunks. "\n" and "\r\n" end a line.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  /** The complete lines this chunk finishes, without their line endings. */
  push(chunk: Buffer | string): string[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const parts = this.pending.split('\n');
    this.pending = parts.pop() ?? '';
    return parts.map(stripCarriageReturn);
  }

  /** The last line when the stream ended without a line ending (or nothing). */
  end(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest.length > 0 ? [stripCarriageReturn(rest)] : [];
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
