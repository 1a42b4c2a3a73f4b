import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { mainConfig, nagiosAvailable, NAGIOS_BIN } from '../../helpers/nagios-server.ts';
import { requireBinary } from '../../helpers/nagios-skip.ts';

const VIGIL_CFG = resolve(import.meta.dirname, '../../../dashboards/nagios/vigil.cfg');

// What dashboards/nagios/vigil.cfg expects from the stock sample config.
const STOCK_OBJECTS = `
define timeperiod {
  timeperiod_name 24x7
  alias 24x7
  sunday 00:00-24:00
  monday 00:00-24:00
  tuesday 00:00-24:00
  wednesday 00:00-24:00
  thursday 00:00-24:00
  friday 00:00-24:00
  saturday 00:00-24:00
}
define command {
  command_name notify-noop
  command_line /bin/true
}
define contact {
  contact_name nagiosadmin
  host_notification_period 24x7
  service_notification_period 24x7
  host_notification_options d,r
  service_notification_options w,u,c,r
  host_notification_commands notify-noop
  service_notification_commands notify-noop
}
define contactgroup {
  contactgroup_name admins
  alias admins
  members nagiosadmin
}
`;

describe('dashboards/nagios/vigil.cfg', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 30_000 }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-nagios-cfg-'));
    await mkdir(join(dir, 'checkresults'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const verify = async (cfgFiles: string[]) => {
    await writeFile(join(dir, 'nagios.cfg'), mainConfig(dir, cfgFiles));
    return promisify(execFile)(NAGIOS_BIN, ['-v', join(dir, 'nagios.cfg')]).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
  };

  it('passes the real `nagios4 -v` with freshness checking on the passive services', async () => {
    await writeFile(join(dir, 'stock.cfg'), STOCK_OBJECTS);
    const { code, out } = await verify([join(dir, 'stock.cfg'), VIGIL_CFG]);
    assert.equal(code, 0, out);
    assert.match(out, /Total Errors:\s+0/);
    assert.match(out, /Checked 6 services\./);
    assert.match(out, /Checked 3 hosts\./);
  });

  it('the verification can fail: without the stock objects it reports errors', async () => {
    const { code, out } = await verify([VIGIL_CFG]);
    assert.notEqual(code, 0);
    assert.match(out, /Error/);
  });
});
