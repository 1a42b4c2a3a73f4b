import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProvisionError } from '../../src/shared/errors.ts';
import { renderTemplate } from '../../src/tenants/render-template.ts';
import { publicFields, secretFieldTest } from '../../src/tenants/secret-fields.ts';
import { tenantEnv } from '../../src/tenants/tenant-env.ts';
import { tenantName } from '../../src/tenants/tenant-name.ts';

const context = {
  tenant: { name: 'vigil-shop-x', fields: { id: 'a/b', email: 'o@x.test' } },
  environment: { name: 'prod', baseURL: 'https://app.example.com/base' },
  env: { REGION: 'eu' },
};

describe('tenant names', () => {
  it('are prefix-suite-10 lowercase alphanumerics, different every time', () => {
    const names = Array.from({ length: 20 }, () => tenantName('vigil', 'checkout'));
    for (const name of names) assert.match(name, /^vigil-checkout-[0-9a-z]{10}$/);
    assert.equal(new Set(names).size, names.length);
  });
});

describe('renderTemplate', () => {
  it('fills strings deep in objects and arrays', () => {
    const body = { name: '{{tenant.name}}', tags: ['{{environment.name}}', 'r-{{ env.REGION }}'], n: 3, ok: true };
    assert.deepEqual(renderTemplate(body, context, { where: 'w' }), {
      name: 'vigil-shop-x',
      tags: ['prod', 'r-eu'],
      n: 3,
      ok: true,
    });
  });

  it('percent-encodes tenant values in URLs, but not the operator-written baseURL', () => {
    assert.equal(
      renderTemplate('{{environment.baseURL}}/t/{{tenant.id}}?e={{tenant.email}}', context, { where: 'w', url: true }),
      'https://app.example.com/base/t/a%2Fb?e=o%40x.test',
    );
  });

  it('refuses unknown placeholders by name', () => {
    for (const [template, why] of [
      ['{{tenant.plan}}', /unknown placeholder \{\{tenant\.plan\}\}: the tenant has no field "plan" here \(known: name, id, email/],
      ['{{env.MISSING}}', /\{\{env\.MISSING\}\}: environment variable MISSING is not set/],
      ['{{environment.region}}', /\{\{environment\.region\}\}/],
      ['{{whatever}}', /\{\{whatever\}\}: use tenant\.name/],
    ] as const) {
      assert.throws(
        () => renderTemplate({ deep: [template] }, context, { where: 'tenants.demo.create' }),
        (err: Error) => err instanceof ProvisionError && err.message.startsWith('tenants.demo.create: ') && why.test(err.message),
      );
    }
  });
});

describe('tenant fields', () => {
  it('reach the suite as one JSON variable and one variable per field', () => {
    const fields = { id: '7', 'owner.email': 'o@x.test', apiKey: 'k' };
    assert.deepEqual(tenantEnv(fields, { json: 'T_JSON', prefix: 'T_' }), {
      T_JSON: JSON.stringify(fields),
      T_ID: '7',
      T_OWNER_EMAIL: 'o@x.test',
      T_APIKEY: 'k',
    });
  });

  it('also reach the suite under the names it already reads (env.map), and a mapped field the tenant lacks is named', () => {
    const fields = { id: '7', email: 'o@x.test', password: 'pw' };
    const env = tenantEnv(fields, { map: { E2E_USER: 'email', ADMIN_PASSWORD: 'password' } });
    assert.equal(env.E2E_USER, 'o@x.test');
    assert.equal(env.ADMIN_PASSWORD, 'pw');
    assert.equal(env.VIGIL_TENANT_EMAIL, 'o@x.test', 'the default names stay');
    assert.throws(
      () => tenantEnv(fields, { map: { E2E_TOKEN: 'apiToken' } }, 'tenants.shop.env.map'),
      (err: Error) =>
        err instanceof ProvisionError &&
        /^tenants\.shop\.env\.map: E2E_TOKEN: the tenant has no field "apiToken" \(it has: id, email, password\)$/.test(err.message),
    );
  });

  it('are secret when configured so or named like a secret, and only the rest is kept', () => {
    const isSecretField = secretFieldTest(['pin']);
    assert.deepEqual(['pin', 'password', 'owner.password', 'apiKey', 'sessionCookie', 'email', 'id'].map(isSecretField), [
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    assert.deepEqual(publicFields({ id: '1', email: 'e', pin: '1234', password: 'p' }, { isSecretField }), {
      id: '1',
      email: 'e',
    });
  });
});
