/**
 * The mail sink on its own, as `npm start` runs it (SMTP plus viewer), for tests that need it in
 * a process of its own: a request that crashed it would end this process.
 */
import { startMailSink } from '../../src/mail/smtp-sink';

const sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
process.stdout.write(`mail sink viewer on ${sink.httpUrl}, SMTP on port ${sink.smtpPort}\n`);
process.once('SIGTERM', () => void sink.stop().then(() => process.exit(0)));
