import { defineConfig } from 'vitest/config';

// Options every project repeats: inline projects do not inherit the root's test options
// (and must not, or each would run the global setup again and start its own servers).
const shared = {
  // Temporal's native addon misbehaves under worker threads (sdk-typescript#876); use processes.
  pool: 'forks',
  testTimeout: 60_000,
  // Bundling workflows and starting workers in beforeAll takes a while on 2 cores.
  hookTimeout: 180_000,
} as const;

export default defineConfig({
  test: {
    // Root level: runs once for the whole run, whichever projects are selected.
    globalSetup: ['./test/helpers/global-setup.ts'],
    maxWorkers: 2,
    passWithNoTests: true,
    teardownTimeout: 60_000,
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Adapters against local HTTP servers replaying documented provider responses.
      { test: { ...shared, name: 'contract', include: ['test/contract/**/*.test.ts'] } },
      { test: { ...shared, name: 'workflow', include: ['test/workflow/**/*.test.ts'] } },
      { test: { ...shared, name: 'api', include: ['test/api/**/*.test.ts'] } },
      { test: { ...shared, name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
      // Faults injected into real parts (worker kills, server restarts, outages); own servers each.
      { test: { ...shared, name: 'chaos', include: ['test/chaos/**/*.test.ts'] } },
      // The ops console in headless Chromium (scripts/install-chromium.sh; CHROMIUM_PATH).
      { test: { ...shared, name: 'browser', include: ['test/browser/**/*.test.ts'] } },
    ],
  },
});
