import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEV_API_KEY,
  isProduction,
  loadConfig,
  redactConfig,
  type ProcessRole,
} from '../../src/config';
import { productionSecrets } from '../../src/scripts/secrets';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** The variables a ConfigError names, in order. */
const named = (err: ConfigError) => err.problems.map((p) => /^[A-Z0-9_]+/.exec(p)![0]);

/** What `npm run secrets` prints, as an env object. */
function generated(): Record<string, string> {
  return Object.fromEntries(
    productionSecrets()
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

const REAL_PROVIDERS = {
  TRACKING_PROVIDER: 'easypost',
  LABEL_PROVIDER: 'easypost',
  CLAIMS_PROVIDER: 'easypost',
  TRACE_PROVIDER: 'none',
  EASYPOST_API_KEY: 'ep-test-key',
};

describe('development mode', () => {
  it('is the default and needs nothing (npm start stays one command)', () => {
    const config = loadConfig({});
    expect(config.nodeEnv).toBe('development');
    expect(isProduction(config)).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).nodeEnv).toBe('test');
  });

  it('refuses a NODE_ENV it does not know rather than guess which defaults apply', () => {
    expect(named(configError(() => loadConfig({ NODE_ENV: 'staging' })))).toEqual(['NODE_ENV']);
  });

  it('never takes the development key into API_KEYS', () => {
    const err = configError(() => loadConfig({ API_KEYS: `ops:abc123,admin:${DEV_API_KEY}` }));
    expect(err.problems).toEqual([expect.stringMatching(/^API_KEYS: dev-admin-key is the public/)]);
    expect(err.message).not.toContain('abc123');
  });

  it('wants API_KEY_SECRET long enough, each secret of a rotation list', () => {
    expect(named(configError(() => loadConfig({ API_KEY_SECRET: 'short' })))).toEqual([
      'API_KEY_SECRET',
    ]);
    expect(() => loadConfig({ API_KEY_SECRET: `${'n'.repeat(32)},${'o'.repeat(31)}` })).toThrow(
      ConfigError,
    );
    expect(loadConfig({ API_KEY_SECRET: `${'n'.repeat(32)},${'o'.repeat(40)}` }).apiKeySecret).toBe(
      `${'n'.repeat(32)},${'o'.repeat(40)}`,
    );
  });
});

describe('production mode (NODE_ENV=production)', () => {
  it('names every missing secret of npm start in one error, each with how to make one', () => {
    const err = configError(() => loadConfig({ NODE_ENV: 'production' }, { role: 'start' }));
    expect(err.message).toMatch(/^Production mode \(NODE_ENV=production\) needs these set/);
    expect(named(err).sort()).toEqual(
      [
        'API_KEYS',
        'API_KEY_SECRET',
        'METRICS_TOKEN',
        'PAYLOAD_KEY',
        'SANDBOX_CARRIER_KEY',
        'SANDBOX_CARRIER_URL',
        'SANDBOX_WEBHOOK_SECRET',
        'SMTP_URL',
        'SURVEY_SECRET',
      ].sort(),
    );
    const problem = (env: string) => err.problems.find((p) => p.startsWith(`${env} `))!;
    expect(problem('SURVEY_SECRET')).toContain('at its public development default');
    expect(problem('SURVEY_SECRET')).toContain('openssl rand -base64 32');
    expect(problem('METRICS_TOKEN')).toContain('is not set');
    expect(problem('PAYLOAD_KEY')).toContain('npm run secrets');
    expect(problem('API_KEYS')).toContain('no development key');
  });

  it('asks each role only for what it uses (the worker gets no API keys)', () => {
    const env = { NODE_ENV: 'production', ...REAL_PROVIDERS };
    const roles: Record<ProcessRole, string[]> = {
      start: [
        'API_KEYS',
        'API_KEY_SECRET',
        'METRICS_TOKEN',
        'PAYLOAD_KEY',
        'SMTP_URL',
        'SURVEY_SECRET',
      ],
      api: ['API_KEYS', 'API_KEY_SECRET', 'METRICS_TOKEN', 'PAYLOAD_KEY', 'SURVEY_SECRET'],
      worker: ['PAYLOAD_KEY', 'SMTP_URL', 'SURVEY_SECRET'],
      sandbox: ['SANDBOX_CARRIER_KEY', 'SANDBOX_WEBHOOK_SECRET'],
      tool: [],
    };
    for (const [role, expected] of Object.entries(roles) as [ProcessRole, string[]][]) {
      if (expected.length === 0) {
        expect(() => loadConfig(env, { role })).not.toThrow();
        continue;
      }
      expect(named(configError(() => loadConfig(env, { role }))).sort(), role).toEqual(
        expected.sort(),
      );
    }
  });

  it('refuses a public default even when it is set on purpose', () => {
    const env = {
      ...generated(),
      ...REAL_PROVIDERS,
      SMTP_URL: 'smtp://mail.example.com:587',
      SURVEY_SECRET: 'parcelwarden-dev-survey-secret',
      API_KEY_SECRET: 'parcelwarden-dev-api-key-secret-do-not-use',
    };
    expect(named(configError(() => loadConfig(env)))).toEqual(['SURVEY_SECRET', 'API_KEY_SECRET']);
  });

  it('starts with what `npm run secrets` prints, and never prints a secret in its errors', () => {
    const secrets = generated();
    const env: Record<string, string> = {
      ...secrets,
      ...REAL_PROVIDERS,
      SMTP_URL: 'smtp://mail.example.com:587',
    };
    const config = loadConfig(env, { role: 'start' });
    expect(isProduction(config)).toBe(true);
    // With the sandbox carrier as a provider, it and its secrets are needed too.
    const sandbox = { ...secrets, SMTP_URL: 'smtp://mail.example.com:587' };
    expect(named(configError(() => loadConfig(sandbox)))).toEqual(['SANDBOX_CARRIER_URL']);
    expect(() =>
      loadConfig({ ...sandbox, SANDBOX_CARRIER_URL: 'http://sandbox.internal:4010' }),
    ).not.toThrow();
    // A missing one is named without showing the others' values.
    const { METRICS_TOKEN: _dropped, ...withoutToken } = env;
    const err = configError(() => loadConfig(withoutToken));
    expect(named(err)).toEqual(['METRICS_TOKEN']);
    const { NODE_ENV: _mode, ...secretValues } = secrets;
    for (const value of Object.values(secretValues)) expect(err.message).not.toContain(value);
    expect(JSON.stringify(redactConfig(config))).not.toContain(secrets.API_KEY_SECRET);
  });

  it('needs ONSITE_MESSAGE_SECRET only with ONSITE_MESSAGE_URL', () => {
    const env: Record<string, string> = {
      ...generated(),
      ...REAL_PROVIDERS,
      SMTP_URL: 'smtp://mail.example.com:587',
      ONSITE_MESSAGE_URL: 'https://seller.example.com/messages',
    };
    delete env.ONSITE_MESSAGE_SECRET;
    expect(named(configError(() => loadConfig(env, { role: 'worker' })))).toEqual([
      'ONSITE_MESSAGE_SECRET',
    ]);
    expect(() => loadConfig(env, { role: 'api' })).not.toThrow();
  });
});
