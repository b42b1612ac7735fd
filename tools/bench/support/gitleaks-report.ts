/**
 * A synthetic gitleaks v8 JSON report (`gitleaks detect --report-format json`): a top-level array of
 * findings with gitleaks' own keys, streamed to disk (never built in memory as
 * one string). Secrets are fake but shaped like real ones (GitHub, AWS, Slack, Stripe, GitLab, generic
 * hex), and all distinct: each embeds the finding's index, so N findings make N leaks.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** One finding as gitleaks v8 writes it (report.Finding), in its key order. */
export interface GitleaksFinding {
  RuleID: string;
  Description: string;
  StartLine: number;
  EndLine: number;
  StartColumn: number;
  EndColumn: number;
  Match: string;
  Secret: string;
  File: string;
  SymlinkFile: string;
  Commit: string;
  Entropy: number;
  Author: string;
  Email: string;
  Date: string;
  Message: string;
  Tags: string[];
  Fingerprint: string;
  Link: string;
}

const hex = (chars: number) => randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars);
/** index as fixed-width hex: makes every secret distinct whatever the random part. */
const indexHex = (index: number, width: number) => index.toString(16).padStart(width, '0');

/** gitleaks' default rules (ids and short descriptions as in its config), a secret of that shape, and the line it was in. */
const RULES: ReadonlyArray<{ id: string; description: string; secret: (i: number) => string; line: (s: string) => string; file: string }> = [
  {
    id: 'github-pat',
    description: 'GitHub Personal Access Token',
    secret: (i) => `ghp_${indexHex(i, 8)}${hex(28)}`, // ghp_ + 36 hex chars
    line: (s) => `GITHUB_TOKEN: "${s}"`,
    file: '.github/workflows/release.yml',
  },
  {
    id: 'aws-access-token',
    description: 'AWS Access Key',
    secret: (i) => `AKIA${indexHex(i, 6)}${hex(10)}`.toUpperCase(),
    line: (s) => `aws_access_key_id = ${s}`,
    file: 'deploy/terraform/providers.tf',
  },
  {
    id: 'slack-bot-token',
    description: 'Slack Bot token',
    secret: (i) => `xoxb-${String(1_000_000_000 + i)}-${String(Date.now()).slice(0, 13)}-${indexHex(i, 8)}${hex(16)}`,
    line: (s) => `const slack = new WebClient('${s}');`,
    file: 'services/notifier/src/slack.ts',
  },
  {
    id: 'stripe-access-token',
    description: 'Stripe Access Token',
    secret: (i) => `sk_live_${indexHex(i, 8)}${hex(16)}`,
    line: (s) => `STRIPE_SECRET_KEY=${s}`,
    file: 'services/billing/.env.production',
  },
  {
    id: 'gitlab-pat',
    description: 'GitLab Personal Access Token',
    secret: (i) => `glpat-${indexHex(i, 8)}${hex(12)}`,
    line: (s) => `export GITLAB_TOKEN=${s}`,
    file: 'scripts/mirror-repos.sh',
  },
  {
    id: 'generic-api-key',
    description: 'Generic API Key',
    secret: (i) => `${indexHex(i, 8)}${hex(32)}`,
    line: (s) => `"api_key": "${s}",`,
    file: 'config/integrations.json',
  },
];

const AUTHORS = ['Ada Lovelace', 'Grace Hopper', 'Linus Torvalds', 'Margaret Hamilton', 'Ken Thompson', 'Barbara Liskov'];
const MESSAGES = [
  'ci: publish the release workflow',
  'chore(deploy): bump the aws provider',
  'feat(notifier): post deploy summaries',
  'fix(billing): read keys from the env',
];

/** The i-th finding; findings come in commits of 10 (like a real history scan). */
export function gitleaksFinding(i: number, commitOf: (i: number) => string): GitleaksFinding {
  const rule = RULES[i % RULES.length];
  const secret = rule.secret(i);
  const match = rule.line(secret);
  const author = AUTHORS[i % AUTHORS.length];
  const commit = commitOf(Math.floor(i / 10));
  const file = `svc-${(i % 97).toString().padStart(2, '0')}/${rule.file}`;
  const startLine = 1 + (i % 400);
  const startColumn = 1 + match.indexOf(secret);
  return {
    RuleID: rule.id,
    Description: rule.description,
    StartLine: startLine,
    EndLine: startLine,
    StartColumn: startColumn,
    EndColumn: startColumn + secret.length - 1,
    Match: match,
    Secret: secret,
    File: file,
    SymlinkFile: '',
    Commit: commit,
    Entropy: Math.round((3.2 + ((i * 7919) % 2300) / 1000) * 1e6) / 1e6,
    Author: author,
    Email: `${author.toLowerCase().replace(/ /g, '.')}@acme.example`,
    Date: new Date(Date.UTC(2024, 0, 1) + i * 61_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Message: MESSAGES[i % MESSAGES.length],
    Tags: [],
    Fingerprint: `${commit}:${file}:${rule.id}:${startLine}`,
    Link: `https://github.com/acme/platform/blob/${commit}/${file}#L${startLine}`,
  };
}

/**
 * Writes `count` findings to `file` as a gitleaks JSON report (a top-level array; one finding per line —
 * gitleaks itself indents each key on its own line, which only adds whitespace), honouring the write
 * stream's back-pressure. Resolves with the number of bytes written.
 */
export async function writeGitleaksReport(file: string, count: number, signal?: AbortSignal): Promise<number> {
  const out = createWriteStream(file);
  const commits = new Map<number, string>();
  const commitOf = (n: number) => {
    let sha = commits.get(n);
    if (!sha) {
      commits.clear(); // one commit at a time: the generator's memory stays flat
      sha = hex(40);
      commits.set(n, sha);
    }
    return sha;
  };
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain', { signal });
  };
  try {
    await write('[\n');
    const PER_WRITE = 200;
    for (let start = 0; start < count; start += PER_WRITE) {
      signal?.throwIfAborted();
      let chunk = '';
      for (let i = start; i < Math.min(count, start + PER_WRITE); i++) {
        chunk += ` ${JSON.stringify(gitleaksFinding(i, commitOf))}${i < count - 1 ? ',' : ''}\n`;
      }
      await write(chunk);
    }
    await write(']\n');
    out.end();
    await once(out, 'finish', { signal });
  } catch (error) {
    out.destroy();
    throw error;
  }
  return bytes;
}
