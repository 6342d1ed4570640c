/** Provider tracking codes → our normalized statuses (rendered in docs/status-mapping.md). */
export type { MappedStatus, MappedSummary, StatusTable } from './types';
export { lookupSummary } from './types';
export { AFTERSHIP_STATUS_TABLE, fromAfterShip } from './aftership';
export { TRACK17_STATUS_TABLE, from17Track, from17TrackStage } from './track17';
export { EASYPOST_STATUS_TABLE, fromEasyPost } from './easypost';

import { AFTERSHIP_STATUS_TABLE } from './aftership';
import { EASYPOST_STATUS_TABLE } from './easypost';
import { TRACK17_STATUS_TABLE } from './track17';
import type { StatusTable } from './types';

export const STATUS_TABLES: readonly StatusTable[] = [
  AFTERSHIP_STATUS_TABLE,
  TRACK17_STATUS_TABLE,
  EASYPOST_STATUS_TABLE,
];
