import { describeConfig } from '../../config/check-config.ts';
import { loadConfig } from '../../config/load-config.ts';

/** `vigil config check`: loads and validates without opening the store or calling anything. */
export async function configCheckCommand(opts: { config?: string }): Promise<number> {
  const loaded = await loadConfig({ file: opts.config, env: process.env });
  if (loaded.file === null) {
    process.stdout.write('no config file (--config, $VIGIL_CONFIG or ./vigil.yaml): Vigil would run the bundled demo\n');
    return 0;
  }
  process.stdout.write(`${describeConfig(loaded)}\nconfig OK\n`);
  return 0;
}
