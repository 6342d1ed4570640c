/**
 * Writes docs/configuration.md from the settings declared in src/config.ts. `--check` fails when
 * the committed doc is out of date instead of writing it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { CONFIGURATION_DOC, renderConfigurationDoc } from '../config.doc';

const options = (await resolveConfig(CONFIGURATION_DOC)) ?? {};
const doc = await format(renderConfigurationDoc(), { ...options, filepath: CONFIGURATION_DOC });
if (process.argv.includes('--check')) {
  const current = await readFile(CONFIGURATION_DOC, 'utf8').catch(() => '');
  if (current !== doc) {
    console.error(`${CONFIGURATION_DOC} is out of date: run npm run docs:config`);
    process.exit(1);
  }
} else {
  await writeFile(CONFIGURATION_DOC, doc);
  console.log(`wrote ${CONFIGURATION_DOC}`);
}
