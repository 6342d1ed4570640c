/**
 * `npm start` without PAYLOAD_KEY: a key made once and kept in DATA_DIR (mode 0600), so privacy
 * is on from the first run and workflows of earlier runs stay readable.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { generatePayloadKey, parsePayloadKeys } from './payload-codec';

export const PAYLOAD_KEY_FILE = 'payload-key';

/** Reads the key file in `dataDir`, creating it first when absent; answers the value and file. */
export async function ensurePayloadKeyFile(
  dataDir: string,
): Promise<{ value: string; file: string; created: boolean }> {
  const file = path.join(dataDir, PAYLOAD_KEY_FILE);
  let created = false;
  try {
    // `wx`: never overwrite a key that encrypted earlier workflows.
    await fs.writeFile(file, `${generatePayloadKey('local1')}\n`, { flag: 'wx', mode: 0o600 });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const value = (await fs.readFile(file, 'utf8')).trim();
  try {
    parsePayloadKeys(value);
  } catch (err) {
    throw new Error(`${file} does not hold a usable payload key: ${(err as Error).message}`);
  }
  return { value, file, created };
}
