// The demo app's admin API as the benches' provisioner (the same one test/helpers/e2e-setup.ts writes):
// the `tenants:` block of a config, with DEMO_ADMIN_TOKEN from the environment.
export function demoTenantsYaml(opts: { list?: boolean } = {}): string {
  const auth = 'headers: { authorization: "Bearer ${DEMO_ADMIN_TOKEN}" }';
  return `tenants:
  demo:
    kind: http
    create: { method: POST, url: "{{environment.baseURL}}/admin/tenants", ${auth}, body: { name: "{{tenant.name}}" } }
    fields: { id: id, email: owner.email, password: owner.password }
    delete: { method: DELETE, url: "{{environment.baseURL}}/admin/tenants/{{tenant.id}}", ${auth} }
${opts.list ? `    list: { method: GET, url: "{{environment.baseURL}}/admin/tenants", ${auth}, items: tenants, fields: { id: id, name: name, createdAt: createdAt } }\n` : ''}`;
}
