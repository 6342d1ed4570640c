import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clusterConfig,
  clusterDatabaseNames,
  dynamicConfigYaml,
  findTemporalServer,
  sqlTargetOf,
  summarizeLogLine,
  TemporalClusterError,
} from '../../src/infra/temporal-cluster';

describe('the production-shaped Temporal cluster', () => {
  it('names its two databases after a prefix, and refuses a prefix that is no plain identifier', () => {
    expect(clusterDatabaseNames('pw_bench_1a2b')).toEqual({
      persistence: 'pw_bench_1a2b_temporal',
      visibility: 'pw_bench_1a2b_temporal_visibility',
    });
    for (const bad of ['Parcel', '1abc', 'a-b', 'x"; drop database y', '']) {
      expect(() => clusterDatabaseNames(bad)).toThrow(TemporalClusterError);
    }
  });

  it('reads host, port, user and password from the database URL', () => {
    expect(sqlTargetOf('postgres://postgres@127.0.0.1:5432/test')).toEqual({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      password: '',
    });
    expect(sqlTargetOf('postgresql://svc:p%40ss@db.internal/app')).toEqual({
      host: 'db.internal',
      port: 5432,
      user: 'svc',
      password: 'p@ss',
    });
    expect(() => sqlTargetOf('mysql://root@127.0.0.1/app')).toThrow(/postgres:\/\/ URL/);
  });

  it('writes one config for four services, each with its own ports, on PostgreSQL 12+ stores', () => {
    const ports = {
      history: { grpc: 10001, membership: 10002 },
      matching: { grpc: 10003, membership: 10004 },
      frontend: { grpc: 10005, membership: 10006, http: 10009 },
      worker: { grpc: 10007, membership: 10008 },
    };
    const config = clusterConfig({
      target: { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' },
      databases: { persistence: 'p_temporal', visibility: 'p_temporal_visibility' },
      ports,
      historyShards: 4,
      dynamicConfigFile: '/run/config/dynamicconfig.yaml',
    }) as {
      persistence: {
        numHistoryShards: number;
        datastores: Record<string, { sql: { pluginName: string; databaseName: string } }>;
      };
      services: Record<string, { rpc: Record<string, unknown> }>;
      clusterMetadata: { clusterInformation: { active: { rpcAddress: string } } };
    };
    expect(config.persistence.numHistoryShards).toBe(4);
    expect(config.persistence.datastores.default!.sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'p_temporal',
    });
    expect(config.persistence.datastores.visibility!.sql.databaseName).toBe(
      'p_temporal_visibility',
    );
    expect(Object.keys(config.services).sort()).toEqual([
      'frontend',
      'history',
      'matching',
      'worker',
    ]);
    expect(config.services.history!.rpc).toEqual({
      grpcPort: 10001,
      membershipPort: 10002,
      bindOnLocalHost: true,
    });
    expect(config.services.frontend!.rpc.httpPort).toBe(10009);
    expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:10005');
  });

  it('writes dynamic config values as YAML lists of JSON values', () => {
    expect(
      dynamicConfigYaml({ 'frontend.enableServerVersionCheck': false, 'a.string': 'x', 'a.n': 40 }),
    ).toBe(
      'frontend.enableServerVersionCheck:\n  - value: false\n' +
        'a.string:\n  - value: "x"\n' +
        'a.n:\n  - value: 40\n',
    );
  });

  it('shows a JSON log line of the server as level, message and error, without the stack', () => {
    expect(
      summarizeLogLine(
        '{"level":"fatal","msg":"unable to initialize membership heartbeats","error":"out of range","stacktrace":"a\\nb"}',
      ),
    ).toBe('fatal: unable to initialize membership heartbeats (out of range)');
    expect(summarizeLogLine('2026/12/07 Loading config')).toBe('2026/12/07 Loading config');
  });

  it('names the fix when the server is not built and may not be built here', async () => {
    const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'pw-cluster-cache-'));
    try {
      const error = await findTemporalServer({
        env: { XDG_CACHE_HOME: cache, PATH: '' },
        build: false,
        log: () => undefined,
      }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(TemporalClusterError);
      const message = (error as Error).message;
      expect(message).toContain(path.join(cache, 'parcelwarden', 'temporal-server-v1.29.1'));
      expect(message).toMatch(/install Go \(1\.25 or newer\)/);
      expect(message).toContain('npx tsx src/infra/temporal-cluster.main.ts --build-only');
      expect(message).toContain('TEMPORAL_ADDRESS');
    } finally {
      await fs.rm(cache, { recursive: true, force: true });
    }
  });
});
