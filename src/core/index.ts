export * from './run-result.ts';
export * from './target.ts';
export * from './nagios-names.ts';
export * from './nsca-methods.ts';
export * from './reap-report.ts';
export * from './test-result.ts';
export * from './locations.ts';
export * from './states.ts';
