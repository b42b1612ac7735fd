import type { Caller } from '@leakwatch/authz';
import { ProblemException } from '@leakwatch/runtime';
import { answer, refused } from '../src/application/access-result';
import { targetOrg } from '../src/application/target-org';
import { answerOrProblem, refusalProblem } from '../src/http/refusal-problems';

const caller = (role: Caller['role'], orgId?: string): Caller => ({ keyId: 'k', role, orgId, verifiedDomains: [] });

describe('the organisation a domain command acts on', () => {
  it.each([
    ['a global admin naming one', caller('global_admin'), 'org-b', answer('org-b')],
    ['a global admin naming none', caller('global_admin'), undefined, refused('org_id_required')],
    ['an org admin naming none', caller('admin', 'org-a'), undefined, answer('org-a')],
    ['an org admin naming its own', caller('admin', 'org-a'), 'org-a', answer('org-a')],
    ['an org admin naming another', caller('admin', 'org-a'), 'org-b', refused('foreign_organization')],
    ['an org key without an organisation', caller('analyst'), undefined, refused('no_organization')],
  ])('%s', (_case, who, requested, expected) => {
    expect(targetOrg(who, requested)).toEqual(expected);
  });
});

describe('refusals at the edge', () => {
  const problem = (error: ProblemException) => ({ status: error.getStatus(), ...(error.getResponse() as object) });

  it('answers a value unchanged', () => {
    expect(answerOrProblem(answer({ id: 1 }))).toEqual({ id: 1 });
  });

  it('keeps the problem types clients know (an unreachable key reads like an unknown one)', () => {
    expect(problem(refusalProblem('key_not_in_reach', 'k-1'))).toMatchObject({ status: 404, type: expect.stringMatching(/key-not-found$/), detail: 'No API key k-1 in your reach.' });
    expect(problem(refusalProblem('admins_only'))).toMatchObject({ status: 403, type: expect.stringMatching(/forbidden-role$/) });
    expect(problem(refusalProblem('org_not_found', 'o-9'))).toMatchObject({ status: 404, type: expect.stringMatching(/org-not-found$/), detail: 'No organisation o-9.' });
    expect(problem(refusalProblem('invalid_domain', 'not a domain'))).toMatchObject({
      status: 400,
      type: expect.stringMatching(/invalid-domain$/),
      errors: [{ field: 'domain', message: expect.any(String) }],
    });
  });

  it('throws the refusal as its problem', () => {
    let thrown: unknown;
    try {
      answerOrProblem(refused('domain_not_claimed', 'acme.com'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemException);
    expect(problem(thrown as ProblemException)).toMatchObject({ status: 404, detail: 'acme.com has not been claimed by this organisation.' });
  });
});
