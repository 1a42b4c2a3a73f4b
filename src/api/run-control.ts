// What the API needs of the scheduler: the scheduler satisfies it; the API never starts runs itself.
import type { Scheduler } from '../scheduler/scheduler.ts';

export type RunControl = Pick<Scheduler, 'trigger' | 'find' | 'status' | 'schedules' | 'isRunning'>;
