import { ignoredGithubAction } from '../src';

describe('GitHub actions that change nothing (issue 10.2)', () => {
  it.each(['assigned', 'unassigned', 'publicly_leaked'])('%s is acknowledged with a reason', (action) => {
    expect(ignoredGithubAction({ action, alert: { number: 1 } })).toEqual({ action, reason: expect.any(String) });
  });

  it.each([{ action: 'created' }, { action: 'resolved' }, { action: 'reopened' }, { action: 'validated' }, { action: 'toString' }, { action: 1 }, {}, [], null, 'assigned'])(
    '%p is not ignored (mapped, or left to the parser to refuse)',
    (payload) => expect(ignoredGithubAction(payload)).toBeUndefined(),
  );
});
