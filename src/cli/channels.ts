/**
 * `parcelwarden channel-rates import|list` and `parcelwarden channel-policy show|set`: the rate
 * card and the channel policy reships and advice choose by (POST /v1/channel-rates:import,
 * GET /v1/channel-rates, GET|PUT /v1/channel-policy). Writing needs an admin key.
 */
import { ApiProblem, CliError } from './client';
import type { CommandTools } from './command-tools';
import { table } from './format';

interface Io {
  stdout: { write(s: string): unknown };
  env: Record<string, string | undefined>;
  readFile(path: string): Promise<string>;
  readStdin?(): Promise<string>;
}

interface Rate {
  carrier: string;
  service: string;
  originCountry: string;
  destinationCountry: string;
  serviceDays: number;
  postage: number;
  currency: string;
  insurable: boolean;
}

export function channelsCommands(tools: CommandTools) {
  const g = tools.globalOptions;
  const HELP = {
    import: `Usage: parcelwarden channel-rates import <file.csv>

Sends a carrier's rate card to POST /v1/channel-rates:import (admin key). Columns:
carrier,service,origin_country,destination_country,service_days,postage,currency[,insurable]
(* for any country). The rows of the carriers in the file replace theirs; a file with any bad
line imports nothing and every problem is listed with its line number.

${g}`,
    list: `Usage: parcelwarden channel-rates list [--carrier <code>]

Prints the rate card (GET /v1/channel-rates) and its version.

${g}`,
    show: `Usage: parcelwarden channel-policy show

Prints the channel policy (GET /v1/channel-policy) as JSON with its version.

${g}`,
    set: `Usage: parcelwarden channel-policy set <policy.json>

Replaces the channel policy (PUT /v1/channel-policy, admin key) with the JSON file's content:
maxLossRate, minSample, insureAbove, insuranceRatePer100, insuranceMinPremium, maxDelayRate?, rules.

${g}`,
  };
  const print = (io: Io, text: string) => {
    io.stdout.write(`${text}\n`);
    return 0;
  };
  const read = async (io: Io, file: string) =>
    file === '-' && io.readStdin ? io.readStdin() : io.readFile(file);
  const oneFile = (positionals: string[], usage: string) => {
    const [file, ...extra] = positionals;
    if (!file || extra.length) throw new CliError(`Give exactly one file.\n\n${usage}`);
    return file;
  };

  async function importRates(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = tools.parse(argv, {}, HELP.import);
    if (values.help) return print(io, HELP.import);
    const file = oneFile(positionals, HELP.import);
    const api = tools.api(values, io.env);
    try {
      const res = await api.postText<{
        version: number;
        changed: boolean;
        carriers: string[];
        rows: number;
        total: number;
      }>('/v1/channel-rates:import', await read(io, file), 'text/csv');
      const a = res.body;
      return print(
        io,
        a.changed
          ? `Imported ${a.rows} rates for ${a.carriers.join(', ')}: rate card version ${a.version} (${a.total} rates).`
          : `Nothing changed: the rate card already holds these rates (version ${a.version}).`,
      );
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 422 && err.problem.errors?.length) {
        io.stdout.write(`Refused, nothing imported: ${err.problem.detail ?? err.message}\n`);
        for (const e of err.problem.errors) io.stdout.write(`  ${e.message} (${e.path})\n`);
        return 1;
      }
      throw err;
    }
  }

  async function listRates(argv: string[], io: Io): Promise<number> {
    const { values } = tools.parse(argv, { carrier: { type: 'string' } }, HELP.list);
    if (values.help) return print(io, HELP.list);
    const card = await tools
      .api(values, io.env)
      .get<{ version: number; rates: Rate[] }>('/v1/channel-rates');
    const carrier = typeof values.carrier === 'string' ? values.carrier.toLowerCase() : undefined;
    const rates = card.rates.filter((r) => !carrier || r.carrier === carrier);
    io.stdout.write(`Rate card version ${card.version}: ${rates.length} rates\n`);
    return print(
      io,
      table(
        ['carrier', 'service', 'from', 'to', 'days', 'postage', 'insurable'],
        rates.map((r) => [
          r.carrier,
          r.service,
          r.originCountry,
          r.destinationCountry,
          r.serviceDays,
          `${r.postage.toFixed(2)} ${r.currency}`,
          r.insurable ? 'yes' : 'no',
        ]),
      ),
    );
  }

  async function showPolicy(argv: string[], io: Io): Promise<number> {
    const { values } = tools.parse(argv, {}, HELP.show);
    if (values.help) return print(io, HELP.show);
    const p = await tools.api(values, io.env).get<unknown>('/v1/channel-policy');
    return print(io, JSON.stringify(p, null, 2));
  }

  async function setPolicy(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = tools.parse(argv, {}, HELP.set);
    if (values.help) return print(io, HELP.set);
    const file = oneFile(positionals, HELP.set);
    let body: unknown;
    try {
      body = JSON.parse(await read(io, file));
    } catch (err) {
      throw new CliError(`${file} is not JSON: ${(err as Error).message}`);
    }
    const res = await tools
      .api(values, io.env)
      .put<{ version: number }>('/v1/channel-policy', body);
    return print(io, `Channel policy stored: version ${res.body.version}.`);
  }

  return {
    'channel-rates import': { help: HELP.import, run: importRates },
    'channel-rates list': { help: HELP.list, run: listRates },
    'channel-policy show': { help: HELP.show, run: showPolicy },
    'channel-policy set': { help: HELP.set, run: setPolicy },
  };
}
