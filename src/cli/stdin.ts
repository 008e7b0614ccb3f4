import { ConfigError } from '../config/config.js';

/** A secret piped on standard input, so it never appears in the process list or shell history. */
export async function readStdin(what = 'the password'): Promise<string> {
  if (process.stdin.isTTY) throw new ConfigError(`pipe ${what} on standard input, e.g. printf %s "$VALUE" | hookflow …`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline (from echo or a file) is not part of the value.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
