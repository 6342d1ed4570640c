/**
 * Writes docs/status-mapping.md from the status tables. `--check` fails when the committed doc
 * is out of date instead of writing it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { renderStatusMappingDoc, STATUS_MAPPING_DOC } from '../tracking/status-map/doc';

const options = (await resolveConfig(STATUS_MAPPING_DOC)) ?? {};
const doc = await format(renderStatusMappingDoc(), { ...options, filepath: STATUS_MAPPING_DOC });
if (process.argv.includes('--check')) {
  const current = await readFile(STATUS_MAPPING_DOC, 'utf8').catch(() => '');
  if (current !== doc) {
    console.error(
      `${STATUS_MAPPING_DOC} is out of date: run npx tsx src/scripts/status-mapping-doc.ts`,
    );
    process.exit(1);
  }
} else {
  await writeFile(STATUS_MAPPING_DOC, doc);
  console.log(`wrote ${STATUS_MAPPING_DOC}`);
}
