// A check the monitoring could not answer — its source unreachable, the object missing, no result yet:
// UNKNOWN, never green nor red, with why. One shape for every source.
import type { CheckStatus } from '../types.ts';

export function unknownStatus(fields: Pick<CheckStatus, 'id' | 'source' | 'reason' | 'detail' | 'freshnessMs'> & Partial<CheckStatus>): CheckStatus {
  return { state: 'UNKNOWN', raw: '', downtime: false, acknowledged: false, output: '', lastCheck: null, green: false, red: false, ...fields };
}
