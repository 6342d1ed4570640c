/** Values the global setup (test/helpers/global-setup.ts) hands to every test file via `inject`. */
declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the run's Temporal dev server. */
    temporalAddress: string;
    temporalNamespace: string;
    /** The server's `limit.historyCount.suggestContinueAsNew` (low, so tests reach it quickly). */
    suggestContinueAsNewAt: number;
    /** Path of the Temporal CLI binary that runs it. */
    temporalCliPath: string;
    /** A freshly migrated database for this run. */
    databaseUrl: string;
    /** The maintenance database of the same server, for tests that create databases of their own. */
    databaseServerUrl: string;
    /**
     * PAYLOAD_KEY of the run (a fresh random key): every test client, worker and spawned process
     * encrypts payloads with it, as production does (see ./payload-key.ts).
     */
    payloadKey: string;
  }
}

export {};
