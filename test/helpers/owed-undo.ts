// An undo owed in the store's ledger, as a scheduled member loss's destroy leaves it (for store specs).
import type { Store } from '../../src/store/types.ts';

export const oweUndo = (store: Store, id: string, owner: string, leaseUntil: Date, undo = 'restore-member', member = 'app-0') =>
  store.undos.owe({
    id,
    undo,
    action: 'destroy-member',
    params: { member },
    runId: `run-${id}`,
    scenario: 'one app member is destroyed',
    schedule: 'member-loss',
    owner,
    leaseUntil,
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)),
  });
