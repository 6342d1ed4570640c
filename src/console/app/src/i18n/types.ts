/**
 * A namespace's strings: the same keys in every language. Apart from ./index.ts so that Node-side
 * tests can name it without pulling Preact's DOM typings into the server's type check.
 */
export interface Strings {
  en: Record<string, unknown>;
  zh: Record<string, unknown>;
}
