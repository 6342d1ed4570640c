import { describe, expect, it } from 'vitest';
import { toTrackResult as fromEasyPostTracker } from '../../src/carriers/easypost/easypost.carrier';
import { easyPostTracker } from '../../src/carriers/easypost/easypost.schemas';
import { toEvent } from '../../src/carriers/events';
import { toTrackResult as fromTrack17 } from '../../src/carriers/track17/track17.carrier';
import { track17TrackInfo } from '../../src/carriers/track17/track17.schemas';
import {
  placeWallClockToInstant,
  timeZonesOf,
  wallClockToInstant,
  type CheckpointPlace,
} from '../../src/carriers/local-time';
import { parseEasyPost } from '../../src/webhooks/webhooks.parsers';
import { toInstant } from '../../src/webhooks/webhooks.providers';

/** The zone a place resolves to at its most specific level (the first level's only zone). */
function zoneOf(place: CheckpointPlace): string | undefined {
  const [first] = timeZonesOf(place);
  return first?.length === 1 ? first[0] : undefined;
}

const wall = (local: string) => Date.parse(`${local}Z`);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

const BOCA_RATON = { city: 'BOCA RATON', state: 'FL', country: 'USA', postalCode: '33487' };

describe('the time zone of a checkpoint place', () => {
  it('reads the places of a USPS tracking (as06) as New York time', () => {
    // Boca Raton and Holly Ridge are not in the city data: their state decides.
    expect(zoneOf(BOCA_RATON)).toBe('America/New_York');
    expect(zoneOf({ city: 'HOLLY RIDGE', state: 'NC', country: 'USA', postalCode: '28445' })).toBe(
      'America/New_York',
    );
    // City and state code inside a facility name.
    expect(zoneOf({ city: 'WEST PALM BEACH FL DISTRIBUTION CENTER', country: 'USA' })).toBe(
      'America/New_York',
    );
    expect(zoneOf({ city: 'FAYETTEVILLE NC DISTRIBUTION CENTER ANNEX', country: 'USA' })).toBe(
      'America/New_York',
    );
  });

  it('a state code after the city tells two cities of one name apart', () => {
    expect(zoneOf({ city: 'FAYETTEVILLE AR', country: 'US' })).toBe('America/Chicago');
    expect(zoneOf({ city: 'PORTLAND OR DISTRIBUTION CENTER', country: 'US' })).toBe(
      'America/Los_Angeles',
    );
    expect(zoneOf({ city: 'Portland', state: 'ME', country: 'US' })).toBe('America/New_York');
    // Without one, Portland is in two zones: no zone is chosen at the city level.
    expect(timeZonesOf({ city: 'PORTLAND', country: 'US' })[0]).toEqual(
      expect.arrayContaining(['America/New_York', 'America/Los_Angeles']),
    );
  });

  it('a state given by code or by name, accents and case aside', () => {
    expect(zoneOf({ state: 'Texas', country: 'US' })).toBe('America/Chicago');
    expect(zoneOf({ state: 'tx', country: 'US' })).toBe('America/Chicago');
    // A city the data does not list, in a province given by its code.
    expect(zoneOf({ city: 'SMALLTOWN', state: 'BC', country: 'CA' })).toBe('America/Vancouver');
    expect(zoneOf({ city: 'MONTREAL QC', country: 'CAN' })).toBe('America/Montreal');
    expect(zoneOf({ city: 'Montréal', state: 'Québec', country: 'Canada' })).toBe(
      'America/Montreal',
    );
  });

  it('a state spanning zones gets the zone where most of its listed population lives', () => {
    // The Florida panhandle keeps Central time; most of Florida Eastern.
    expect(zoneOf({ city: 'PENSACOLA', state: 'FL', country: 'US' })).toBe('America/Chicago');
    expect(zoneOf({ city: 'NOWHERE', state: 'FL', country: 'US' })).toBe('America/New_York');
    // Kentucky lists more Central cities, but most of its people (Louisville, Lexington) live on
    // Eastern time.
    expect(zoneOf({ state: 'KY', country: 'US' })).toBe('America/New_York');
  });

  it('a country alone decides only where all its zones keep one clock', () => {
    expect(iso(placeWallClockToInstant(wall('2021-05-13T13:04:00'), { country: 'JPN' }))).toBe(
      '2021-05-13T04:04:00.000Z',
    );
    // Germany's zones (Berlin, and Büsingen on Zurich's clock) agree.
    expect(iso(placeWallClockToInstant(wall('2021-05-13T13:04:00'), { country: 'DE' }))).toBe(
      '2021-05-13T11:04:00.000Z',
    );
    expect(placeWallClockToInstant(wall('2021-05-13T13:04:00'), { country: 'US' })).toBeUndefined();
    expect(
      placeWallClockToInstant(wall('2021-05-13T13:04:00'), { city: 'PORTLAND', country: 'US' }),
    ).toBeUndefined();
  });

  it('no zone without a known country', () => {
    expect(timeZonesOf({ city: 'BOCA RATON', state: 'FL' })).toEqual([]);
    expect(timeZonesOf({ city: 'BOCA RATON', state: 'FL', country: 'XX' })).toEqual([]);
  });
});

describe('a wall-clock time in a zone', () => {
  it('follows daylight saving time, north and south', () => {
    const ny = 'America/New_York';
    expect(iso(wallClockToInstant(wall('2021-01-13T13:04:00'), ny))).toBe(
      '2021-01-13T18:04:00.000Z',
    );
    expect(iso(wallClockToInstant(wall('2021-05-13T13:04:00'), ny))).toBe(
      '2021-05-13T17:04:00.000Z',
    );
    const sydney = 'Australia/Sydney';
    expect(iso(wallClockToInstant(wall('2021-01-13T13:04:00'), sydney))).toBe(
      '2021-01-13T02:04:00.000Z',
    );
    expect(iso(wallClockToInstant(wall('2021-07-13T13:04:00'), sydney))).toBe(
      '2021-07-13T03:04:00.000Z',
    );
    expect(iso(wallClockToInstant(wall('2021-07-13T13:04:00.250'), 'Asia/Kolkata'))).toBe(
      '2021-07-13T07:34:00.250Z',
    );
  });

  it('a time repeated when clocks go back is the earlier one', () => {
    // New York, 7 November 2021: 01:30 came first in daylight time (UTC-4), then in standard.
    expect(iso(wallClockToInstant(wall('2021-11-07T01:30:00'), 'America/New_York'))).toBe(
      '2021-11-07T05:30:00.000Z',
    );
    expect(iso(wallClockToInstant(wall('2021-11-07T00:59:00'), 'America/New_York'))).toBe(
      '2021-11-07T04:59:00.000Z',
    );
    expect(iso(wallClockToInstant(wall('2021-11-07T02:00:00'), 'America/New_York'))).toBe(
      '2021-11-07T07:00:00.000Z',
    );
  });

  it('a time skipped when clocks go forward is read with the offset before the change', () => {
    // New York, 14 March 2021: 02:00 became 03:00; 02:30 is read as 03:30 daylight time.
    expect(iso(wallClockToInstant(wall('2021-03-14T02:30:00'), 'America/New_York'))).toBe(
      '2021-03-14T07:30:00.000Z',
    );
    expect(iso(wallClockToInstant(wall('2021-03-14T03:00:00'), 'America/New_York'))).toBe(
      '2021-03-14T07:00:00.000Z',
    );
    // Berlin, 28 March 2021: 02:00 became 03:00.
    expect(iso(wallClockToInstant(wall('2021-03-28T02:30:00'), 'Europe/Berlin'))).toBe(
      '2021-03-28T01:30:00.000Z',
    );
  });
});

describe('toInstant with a place', () => {
  it('reads an offset-less time in the place’s zone, a date alone at the end of its local day', () => {
    expect(toInstant('2021-05-13T13:04:00', BOCA_RATON)).toBe('2021-05-13T17:04:00.000Z');
    expect(toInstant('2021-05-13 13:04', BOCA_RATON)).toBe('2021-05-13T17:04:00.000Z');
    expect(toInstant('2021-12-13T13:04:00', BOCA_RATON)).toBe('2021-12-13T18:04:00.000Z');
    expect(toInstant('2021-05-13', BOCA_RATON)).toBe('2021-05-14T03:59:59.000Z');
  });

  it('keeps times with an offset or Z as they are', () => {
    expect(toInstant('2021-05-13T13:04:00Z', BOCA_RATON)).toBe('2021-05-13T13:04:00.000Z');
    expect(toInstant('2021-05-13T13:04:00+08:00', BOCA_RATON)).toBe('2021-05-13T05:04:00.000Z');
  });

  it('reads as UTC without a place, or with one that does not tell the zone', () => {
    expect(toInstant('2021-05-13T13:04:00')).toBe('2021-05-13T13:04:00.000Z');
    expect(toInstant('2021-05-13T13:04:00', { city: 'PORTLAND', country: 'US' })).toBe(
      '2021-05-13T13:04:00.000Z',
    );
    expect(toInstant('2021-05-13T13:04:00', { city: 'BOCA RATON', state: 'FL' })).toBe(
      '2021-05-13T13:04:00.000Z',
    );
    expect(toInstant('not a time', BOCA_RATON)).toBeUndefined();
  });

  it('a provider checkpoint becomes an event at its local instant, its state read', () => {
    const checkpoint = {
      time: '2021-05-13T13:04:00',
      main: 'InTransit',
      mapped: { status: 'in_transit' as const },
      country: 'USA',
      city: 'JACKSONVILLE',
    };
    // Jacksonville, NC and FL: both Eastern. With Oregon as its state, no listed city matches.
    expect(toEvent('aftership', '1Z', checkpoint, undefined)?.occurredAt).toBe(
      '2021-05-13T17:04:00.000Z',
    );
    expect(toEvent('aftership', '1Z', { ...checkpoint, state: 'OR' }, undefined)?.occurredAt).toBe(
      '2021-05-13T20:04:00.000Z',
    );
  });
});

describe('the state of EasyPost and 17TRACK scans', () => {
  it('EasyPost: `tracking_location.state` is read alike by webhook and lookup', () => {
    const tracker = {
      id: 'trk_1',
      object: 'Tracker',
      tracking_code: 'EZ1000000001',
      status: 'in_transit',
      carrier: 'USPS',
      tracking_details: [
        {
          status: 'in_transit',
          message: 'Arrived at USPS Facility',
          datetime: '2021-05-13T13:04:00',
          tracking_location: { city: 'SPRINGFIELD', state: 'MO', country: 'US', zip: null },
        },
      ],
    };
    const pushed = parseEasyPost({
      id: 'evt_1',
      object: 'Event',
      description: 'tracker.updated',
      result: tracker,
    }).trackings[0]!.events;
    const looked = fromEasyPostTracker(easyPostTracker.parse(tracker)).events;
    // Springfield, Missouri: Central daylight time (UTC-5); Springfield, MA would be UTC-4.
    expect(pushed.map((e) => e.occurredAt)).toEqual(['2021-05-13T18:04:00.000Z']);
    const idAndTime = (e: { eventId: string; occurredAt: string }) => [e.eventId, e.occurredAt];
    expect(looked.map(idAndTime)).toEqual(pushed.map(idAndTime));
  });

  it('17TRACK: `address.state` is read with the city', () => {
    const info = track17TrackInfo.parse({
      tracking: {
        providers: [
          {
            provider: { name: 'UPS' },
            events: [
              {
                time_iso: '2021-05-13T13:04:00',
                description: 'Arrival Scan',
                address: { country: 'US', state: 'OR', city: 'PORTLAND' },
              },
            ],
          },
        ],
      },
    });
    expect(fromTrack17('1Z0000000000000001', info).events.map((e) => e.occurredAt)).toEqual([
      '2021-05-13T20:04:00.000Z',
    ]);
  });
});
