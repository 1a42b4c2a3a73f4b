// Which Vigil is this: `vigil --version`, vigil_build_info and the UI footer say the same thing, from
// the image's build-info.json, else package.json and the git checkout's HEAD.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { page, html } from '../../src/api/ui/html.ts';
import { createPrometheusExporter } from '../../src/exporters/prometheus/prometheus-exporter.ts';
import { buildInfo, describeBuild } from '../../src/shared/build-info.ts';
import { quietLog } from '../exporters/prometheus/helpers.ts';
import { repoRoot, runVigil } from '../helpers/vigil-cli.ts';

const pkgVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('the version', () => {
  it("vigil --version prints the version and the checkout's commit, exit 0", async () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const r = await runVigil(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${pkgVersion} (revision ${head.slice(0, 12)})\n`);
  });

  it('an image stamps build-info.json (its VERSION and REVISION build arguments); empty ones fall back', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'vigil-build-info-'));
    try {
      writeFileSync(path.join(root, 'package.json'), '{"version":"9.9.9"}');
      assert.deepEqual(buildInfo(root), { version: '9.9.9' });
      writeFileSync(path.join(root, 'build-info.json'), '{"version":"","revision":""}\n');
      assert.deepEqual(buildInfo(root), { version: '9.9.9' }, 'a build without the arguments');
      writeFileSync(path.join(root, 'build-info.json'), '{"version":"1.2.3","revision":"0123456789abcdef0123456789abcdef01234567"}\n');
      assert.deepEqual(buildInfo(root), { version: '1.2.3', revision: '0123456789abcdef0123456789abcdef01234567' });
      assert.equal(describeBuild(buildInfo(root)), '1.2.3 (revision 0123456789ab)');
      // A git checkout on a branch whose ref is packed.
      rmSync(path.join(root, 'build-info.json'));
      mkdirSync(path.join(root, '.git'));
      writeFileSync(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
      writeFileSync(path.join(root, '.git', 'packed-refs'), '# pack-refs with: peeled\nfedcba9876543210fedcba9876543210fedcba98 refs/heads/main\n');
      assert.deepEqual(buildInfo(root), { version: '9.9.9', revision: 'fedcba9876543210fedcba9876543210fedcba98' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('vigil_build_info carries the revision; every page of the UI says the build in its footer', async () => {
    const exporter = createPrometheusExporter({ version: '1.2.3', revision: 'abc123', log: quietLog(), processMetrics: false });
    assert.match(await exporter.metrics(), new RegExp(`^vigil_build_info\\{version="1\\.2\\.3",revision="abc123",node="${process.version}"\\} 1$`, 'm'));
    assert.match(page('x', html`<p>body</p>`), new RegExp(`<footer>Vigil ${describeBuild().replace(/[()]/g, '\\$&')}</footer>`));
  });
});
