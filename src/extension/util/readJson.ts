import { promises as fs } from 'node:fs';

/** The shared guard (src/shared/jsonGuards.ts), beside the reader whose results it checks. */
export { isRecord } from '../../shared/jsonGuards';

/** The parsed JSON of `file`, or undefined when it is missing, unreadable or not JSON. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
