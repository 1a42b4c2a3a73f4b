// A periodic job that must not overlap itself (a reaper pass, a sweep, a sync): a call while one is
// going joins it (its own arguments unused) instead of starting a second; the next call after it
// settles starts a new one.
export function oneAtATime<A extends unknown[], T>(job: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  let going: Promise<T> | undefined;
  return (...args) =>
    (going ??= job(...args).finally(() => {
      going = undefined;
    }));
}
