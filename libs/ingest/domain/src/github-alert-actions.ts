/**
 * `secret_scanning_alert` actions GitHub sends that change nothing in Leakwatch, and why. Answered 2xx
 * `ignored` (a 4xx would show the hook as failing on GitHub, and GitHub would redeliver it for nothing).
 * - `assigned` / `unassigned`: who triages the alert on GitHub; Leakwatch keeps no assignee.
 * - `publicly_leaked`: the secret was also found in public. Exposure raises the risk when a leak is
 *   detected (a `created` alert already flagged `publicly_leaked` counts as public); a leak's risk does not
 *   change after detection — there is no risk-change event yet — so a later flag is acknowledged only.
 */
export const IGNORED_GITHUB_ACTIONS: Readonly<Record<string, string>> = {
  assigned: 'alert assignment is GitHub-side triage; Leakwatch keeps no assignee',
  unassigned: 'alert assignment is GitHub-side triage; Leakwatch keeps no assignee',
  publicly_leaked: 'risk is set when a leak is detected (a created alert already flagged publicly_leaked counts as public exposure); it is not raised afterwards',
};

/** The action and the reason it changes nothing, if the payload's action is one Leakwatch acknowledges only. */
export function ignoredGithubAction(payload: unknown): { action: string; reason: string } | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const action = (payload as { action?: unknown }).action;
  if (typeof action !== 'string' || !Object.prototype.hasOwnProperty.call(IGNORED_GITHUB_ACTIONS, action)) return undefined;
  return { action, reason: IGNORED_GITHUB_ACTIONS[action] };
}
