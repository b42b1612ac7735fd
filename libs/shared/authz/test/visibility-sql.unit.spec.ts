import { Caller, leakTypeSql, leakVisibleSql } from '../src';

const binder = () => {
  const values: unknown[] = [];
  return { values, bind: (value: unknown) => `$${values.push(value)}` };
};

describe('visibility as SQL', () => {
  const analyst: Caller = { keyId: 'k', role: 'analyst', orgId: 'o1', email: 'Ana@Acme.example', verifiedDomains: ['Acme.example'] };

  it('binds every caller fact as a parameter, lowercased, never inlined', () => {
    const { values, bind } = binder();
    const sql = leakVisibleSql(analyst, bind);
    expect(values).toEqual([['acme.example'], 'ana@acme.example', 'o1']);
    expect(sql).not.toMatch(/acme|ana@|o1/i);
    expect(sql).toMatch(/identity_email = \$2/);
    expect(sql).toMatch(/org_id = \$3/);
  });

  it('global roles see everything', () => {
    expect(leakVisibleSql({ ...analyst, role: 'global_analyst', orgId: undefined }, binder().bind)).toBe('true');
  });

  it('a caller without email or organisation matches by verified domains only', () => {
    const { values, bind } = binder();
    const sql = leakVisibleSql({ keyId: 'k', role: 'admin', verifiedDomains: [] }, bind);
    expect(values).toEqual([[]]);
    expect(sql).toMatch(/^\(false OR .* OR false\)$/);
  });

  it('the type expression keeps the policy order', () => {
    const sql = leakTypeSql(analyst, binder().bind);
    const order = ['personal', 'employee', 'customer', 'organization'].map((t) => sql.indexOf(`'${t}'`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i > 0)).toBe(true);
  });
});
