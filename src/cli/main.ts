/** Entry point of `parcelwarden` (bin/parcelwarden.mjs loads it through tsx). */
import { readFile, writeFile } from 'node:fs/promises';
import { run } from './cli';

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, text) => writeFile(path, text, 'utf8'),
  readStdin: async () => {
    process.stdin.setEncoding('utf8');
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
  },
});
