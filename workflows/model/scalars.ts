/** The scalar schemas every domain shape is built from, with the words the API document uses. */
import { z } from 'zod';

/** An instant as the workflows keep it: ISO 8601 text (requests check the format, see `instant`). */
export const timestamp = z.string().describe('ISO 8601 date-time');
export const count = z.number().int().nonnegative();
