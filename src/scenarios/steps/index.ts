import { actionSteps } from './action-steps.ts';
import { commandSteps } from './command-steps.ts';
import { modelExpectation } from './model-steps.ts';
import { suiteSteps } from './suite-steps.ts';
import type { StepDefinition } from '../types.ts';

/** The shipped vocabulary (docs/scenarios.md); a team's own steps are added after these. */
export const builtinSteps: readonly StepDefinition[] = [modelExpectation, ...actionSteps, ...commandSteps, ...suiteSteps];
