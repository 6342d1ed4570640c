import { startTemporalDevServer } from './temporal-dev';
import { findFreePort } from './free-port';
const port = await findFreePort();
const t0 = Date.now();
const s = await startTemporalDevServer({ cliPath: '/root/.cache/parcelwarden/temporal-cli-v1.5.1/temporal', port, dbFile: '/tmp/trydev/t.db', dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 }, log: (m) => console.log('LOG', m) });
console.log(s.address, Date.now() - t0);
const t1 = Date.now();
await s.stop();
console.log('stopped', Date.now() - t1);
// port conflict
const s2 = await startTemporalDevServer({ cliPath: '/root/.cache/parcelwarden/temporal-cli-v1.5.1/temporal', port, log: (m) => console.log('LOG', m) });
try { await startTemporalDevServer({ cliPath: '/root/.cache/parcelwarden/temporal-cli-v1.5.1/temporal', port, log: (m) => console.log('LOG2', m) }); } catch (e) { console.log('EXPECTED', (e as Error).message.slice(0, 600)); }
await s2.stop();
try { await startTemporalDevServer({ cliPath: '/nope/temporal', port }); } catch (e) { console.log('EXPECTED', (e as Error).message); }
