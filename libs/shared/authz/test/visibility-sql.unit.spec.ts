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

  it('an address the organisation vouches for (verified domain) matches personal leaks anywhere', () => {
    const sql = leakVisibleSql(analyst, binder().bind);
    expect(sql).toMatch(/\(identity_email = \$2\) OR/);
  });

  it('an unvouched address matches personal leaks of the caller organisation only (as classifyLeak)', () => {
    const { values, bind } = binder();
    const sql = leakVisibleSql({ ...analyst, email: 'ceo@b-corp.test' }, bind);
    expect(values).toEqual([['acme.example'], 'ceo@b-corp.test', 'o1']);
    expect(sql).toMatch(/^\(\(identity_email = \$2 AND org_id = \$3\) OR /);
  });

  it('an unvouched address without an organisation matches no personal leak', () => {
    const sql = leakTypeSql({ keyId: 'k', role: 'admin', email: 'ceo@b-corp.test', verifiedDomains: [] }, binder().bind);
    expect(sql).toMatch(/WHEN \(identity_email = \$2 AND false\) THEN 'personal'/);
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
