/**
 * Bundles the workflow code the way the worker does, so a bundling error (a Node built-in or an
 * I/O library imported into workflows/) breaks `npm run check` instead of the worker.
 */
import { bundleWorkflows } from '../worker';

const started = Date.now();
const bundle = await bundleWorkflows();
console.log(
  `workflow bundle ok: ${(bundle.code.length / 1024).toFixed(0)} KiB in ${Date.now() - started} ms`,
);
