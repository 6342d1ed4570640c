/**
 * What a group of commands kept in its own file (shops, channels) borrows from the CLI's command
 * runner in cli.ts: argument parsing with its help text, and an API client for the key given.
 */
import type { ParseArgsConfig } from 'node:util';
import type { ApiClient } from './client';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandTools {
  parse(
    argv: string[],
    options: Options,
    help: string,
  ): { values: Record<string, unknown>; positionals: string[] };
  api(values: Record<string, unknown>, env: Record<string, string | undefined>): ApiClient;
  globalOptions: string;
}
