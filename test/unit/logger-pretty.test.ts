/**
 * Development logs for a person (pino-pretty, local times, level in words) on a terminal;
 * JSON lines in production, in tests and whenever the output is piped.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLogs } from '../../src/logger';

// A zone away from UTC, so a time printed in UTC would not pass for local time.
process.env.TZ = 'Asia/Shanghai';

function capture() {
  const sink = { text: '' };
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      sink.text += chunk.toString();
      done();
    },
  });
  return { sink, stream };
}

describe('the log format', () => {
  it('is for a person in development on a terminal only', () => {
    expect(prettyLogs('development', true)).toBe(true);
    expect(prettyLogs('development', false)).toBe(false);
    expect(prettyLogs('production', true)).toBe(false);
    expect(prettyLogs('test', true)).toBe(false);
  });

  it('pretty: a local wall-clock time, the level in words and the message, no JSON', () => {
    const { sink, stream } = capture();
    const logger = createLogger('info', 'parcelwarden-api', stream, { pretty: true });
    logger.info({ shipmentId: 'S-1' }, 'shipment registered');
    const time =
      /^\[(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.\d{3}\] INFO \(parcelwarden-api\): shipment registered\n/.exec(
        sink.text,
      );
    expect(time, sink.text).not.toBeNull();
    // Read back as local time (UTC+8 here), it is now: a UTC time would be eight hours off.
    const [y, mo, d, h, mi, s] = time!.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    expect(Math.abs(new Date(y, mo - 1, d, h, mi, s).getTime() - Date.now())).toBeLessThan(60_000);
    expect(sink.text).toContain('shipmentId: "S-1"');
    expect(sink.text).not.toMatch(/"time":\d+/);
  });

  it('pretty still redacts customer details', () => {
    const { sink, stream } = capture();
    const logger = createLogger('info', 'parcelwarden-api', stream, { pretty: true });
    logger.info({ customer: { email: 'zelda@example.org' } }, 'mail queued');
    expect(sink.text).toContain('[redacted]');
    expect(sink.text).not.toContain('zelda@example.org');
  });

  it('JSON lines otherwise, with epoch times a collector reads', () => {
    const { sink, stream } = capture();
    const logger = createLogger('info', 'parcelwarden-api', stream);
    logger.info('shipment registered');
    const line = JSON.parse(sink.text.trim()) as { level: number; time: number; msg: string };
    expect(line).toMatchObject({ level: 30, msg: 'shipment registered' });
    expect(typeof line.time).toBe('number');
  });
});
