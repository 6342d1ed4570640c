/**
 * Checkpoint times without an offset, read in the time zone of the checkpoint's place.
 *
 * AfterShip documents `checkpoint_time` without an offset as the checkpoint's local time. The zone
 * of a place comes from data packages, never from a table of our own:
 * - `city-timezones`: cities with their country, state or province (US: `state_ansi`) and zone;
 * - `provinces`: state and province codes and names per country (`ON` → Ontario);
 * - `countries-and-timezones`: the zones of each country.
 *
 * A place is read level by level, the most specific first:
 * 1. its city within its country (and state, when known): the zone of that city in the data;
 * 2. its state or province: the zone where most of that state's listed population lives;
 * 3. its country: the country's zones.
 * A level decides when all its zones give the same instant for the time read (a city name found in
 * two states of one zone, Germany's two zones that keep the same clock); otherwise the next level
 * is tried. No level decides without a country. Postal codes are not read (no package at hand maps
 * them to zones).
 */
import { cityMapping, type CityData } from 'city-timezones';
import { getAllCountries, getCountry } from 'countries-and-timezones';
import provinces from 'provinces';
import { toAlpha2 } from '../webhooks/countries';

/** Where a checkpoint was scanned, as a provider gives it (any field may be missing). */
export interface CheckpointPlace {
  /** ISO 3166-1 alpha-2 or alpha-3 code, or the country's English name. */
  country?: string | null;
  /** State or province: its code (`FL`, `ON`) or its name. */
  state?: string | null;
  /** The city, possibly with more words (`WEST PALM BEACH FL DISTRIBUTION CENTER`). */
  city?: string | null;
  postalCode?: string | null;
}

/**
 * Countries whose carriers write a scan's place as "CITY ST ..." in the city field, so a
 * two-letter state code found there (after the city's first word) is read as the state.
 */
const STATE_CODE_IN_CITY = new Set(['US', 'CA']);

/** Upper case, without accents, punctuation or repeated spaces: `St. Jérôme` → `ST JEROME`. */
function normalized(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

interface CountryData {
  /** Normalized city name → the data's entries of that name (each with a zone). */
  cities: Map<string, CityData[]>;
  /** The most words a known city name has (the longest prefix worth trying). */
  maxCityWords: number;
  /** Normalized state code, name or alternative name → normalized state name. */
  states: Map<string, string>;
  /** Normalized two-letter state codes (what a city field may carry after the city). */
  stateCodes: Set<string>;
  /** Normalized state name → the zone where most of its listed population lives. */
  stateZones: Map<string, string>;
}

const supportedZones = new Map<string, boolean>();

/** Whether this runtime knows the zone (the data may name one it does not, or none). */
function isSupportedZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  let ok = supportedZones.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    supportedZones.set(zone, ok);
  }
  return ok;
}

let citiesByCountry: Map<string, CityData[]> | undefined;
const countryData = new Map<string, CountryData>();

function dataOf(alpha2: string): CountryData {
  const known = countryData.get(alpha2);
  if (known) return known;
  if (!citiesByCountry) {
    citiesByCountry = new Map();
    for (const c of cityMapping) {
      if (!isSupportedZone(c.timezone)) continue;
      const list = citiesByCountry.get(c.iso2) ?? [];
      list.push(c);
      citiesByCountry.set(c.iso2, list);
    }
  }
  const data: CountryData = {
    cities: new Map(),
    maxCityWords: 0,
    states: new Map(),
    stateCodes: new Set(),
    stateZones: new Map(),
  };
  const population = new Map<string, Map<string, number>>();
  for (const c of citiesByCountry.get(alpha2) ?? []) {
    for (const name of new Set([c.city, c.city_ascii].filter(Boolean).map(normalized))) {
      data.cities.set(name, [...(data.cities.get(name) ?? []), c]);
      data.maxCityWords = Math.max(data.maxCityWords, name.split(' ').length);
    }
    if (!c.province) continue;
    const state = normalized(c.province);
    data.states.set(state, state);
    if (c.state_ansi) {
      data.states.set(normalized(c.state_ansi), state);
      data.stateCodes.add(normalized(c.state_ansi));
    }
    const zones = population.get(state) ?? new Map<string, number>();
    zones.set(c.timezone, (zones.get(c.timezone) ?? 0) + (c.pop || 0));
    population.set(state, zones);
  }
  for (const p of provinces) {
    if (p.country !== alpha2) continue;
    const state = normalized(p.name);
    for (const alias of [p.name, p.short, p.english, ...(p.alt ?? [])]) {
      if (alias) data.states.set(normalized(alias), state);
    }
    if (p.short && /^[A-Z]{2}$/.test(p.short)) data.stateCodes.add(p.short);
  }
  for (const [state, zones] of population) {
    const [zone] = [...zones].sort((a, b) => b[1] - a[1])[0]!;
    data.stateZones.set(state, zone);
  }
  countryData.set(alpha2, data);
  return data;
}

let countryNames: Map<string, string> | undefined;

function countryCode(country: string | null | undefined): string | undefined {
  if (!country?.trim()) return undefined;
  const code = toAlpha2(country);
  if (code) return code;
  countryNames ??= new Map(
    Object.values(getAllCountries()).map((c) => [normalized(c.name), c.id as string]),
  );
  return countryNames.get(normalized(country));
}

/**
 * The city and state a place names: the state field when given, else a state code in the city
 * text; the city as the longest known city name the city text starts with.
 */
function read(
  place: CheckpointPlace,
  data: CountryData,
  alpha2: string,
): { cities: CityData[]; state?: string } {
  let state = place.state?.trim() ? data.states.get(normalized(place.state)) : undefined;
  const words = place.city ? normalized(place.city).split(' ').filter(Boolean) : [];
  let cities: CityData[] = [];
  let cityWords = 0;
  for (let n = Math.min(words.length, data.maxCityWords); n > 0; n--) {
    const found = data.cities.get(words.slice(0, n).join(' '));
    if (found) {
      cities = found;
      cityWords = n;
      break;
    }
  }
  if (!state && STATE_CODE_IN_CITY.has(alpha2)) {
    const code = words.slice(Math.max(cityWords, 1)).find((w) => data.stateCodes.has(w));
    if (code) state = data.states.get(code);
  }
  return { cities, ...(state ? { state } : {}) };
}

/**
 * The zones a place may be in, level by level (city, state, country), the most specific first;
 * levels that the place does not name are left out. Empty without a known country.
 */
export function timeZonesOf(place: CheckpointPlace): string[][] {
  const key = [place.country, place.state, place.city].map((v) => v ?? '').join('\u0000');
  let levels = resolved.get(key);
  if (!levels) {
    // Carriers repeat a handful of places; the cap only bounds a run of unusual ones.
    if (resolved.size >= RESOLVED_CAP) resolved.clear();
    levels = resolve(place);
    resolved.set(key, levels);
  }
  return levels;
}

const RESOLVED_CAP = 10_000;
const resolved = new Map<string, string[][]>();

function resolve(place: CheckpointPlace): string[][] {
  const alpha2 = countryCode(place.country);
  if (!alpha2) return [];
  const data = dataOf(alpha2);
  const { cities, state } = read(place, data, alpha2);
  const levels: string[][] = [];
  const inState = state ? cities.filter((c) => normalized(c.province ?? '') === state) : cities;
  if (inState.length) levels.push([...new Set(inState.map((c) => c.timezone))]);
  const stateZone = state ? data.stateZones.get(state) : undefined;
  if (stateZone) levels.push([stateZone]);
  const countryZones = (getCountry(alpha2)?.timezones ?? []).filter(isSupportedZone);
  if (countryZones.length) levels.push(countryZones);
  return levels;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in milliseconds (east positive). */
function offsetAt(zone: string, instant: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(instant)) parts[p.type] = p.value;
  const year = Number(parts.year) * (parts.era === 'BC' || parts.era === 'B' ? -1 : 1);
  const wall = Date.UTC(
    year,
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return wall - wholeSeconds;
}

const DAY_MS = 86_400_000;

/**
 * The instant at which a zone's clocks showed a wall-clock time (given as the milliseconds that
 * time would have in UTC). Like `Temporal`'s "compatible" choice: a time that occurred twice (the
 * hour repeated when clocks go back) is the earlier one; a time that never occurred (the hour
 * skipped when clocks go forward) is read with the offset before the change, so 02:30 on a
 * spring-forward night in New York is 07:30Z (03:30 daylight time).
 */
export function wallClockToInstant(wall: number, zone: string): number {
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const valid = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => wall - offsetAt(zone, instant) === instant)
    .sort((a, b) => a - b);
  return valid[0] ?? wall - before;
}

/**
 * The instant of a wall-clock time (as the milliseconds that time would have in UTC) at a place;
 * undefined when the place does not tell the zone (see {@link timeZonesOf}).
 */
export function placeWallClockToInstant(wall: number, place: CheckpointPlace): number | undefined {
  for (const zones of timeZonesOf(place)) {
    const instants = new Set(zones.map((zone) => wallClockToInstant(wall, zone)));
    if (instants.size === 1) return [...instants][0];
  }
  return undefined;
}
