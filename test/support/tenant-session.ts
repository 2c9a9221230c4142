import type { TestApp } from './test-app';

export type Role = 'admin' | 'analyst' | 'viewer';

/** A fresh tenant per suite, with its admin key and helpers to act as it. */
export class TenantSession {
  private constructor(
    readonly t: TestApp,
    readonly tenantId: string,
    readonly adminKey: string,
  ) {}

  static async create(t: TestApp, name = `tenant-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`): Promise<TenantSession> {
    const res = await t.http.post('/v1/tenants').set('X-Admin-Token', t.adminToken).send({ name }).expect(201);
    return new TenantSession(t, res.body.tenant.id, res.body.apiKey.key);
  }

  auth(key = this.adminKey): { Authorization: string } {
    return { Authorization: `Bearer ${key}` };
  }

  async key(role: Role): Promise<{ id: string; key: string }> {
    const res = await this.t.http
      .post('/v1/api-keys')
      .set(this.auth())
      .send({ name: `${role} key`, role })
      .expect(201);
    return { id: res.body.id, key: res.body.key };
  }
}
