/**
 * GitHub `secret_scanning_alert` webhooks, per organisation: `POST /api/v1/ingest/github?org_id=<org>`
 * signed with the organisation's webhook secret (`X-Hub-Signature-256`, checked in constant time).
 * created/validated → a finding (new leak or sighting); resolved → fixed or false positive;
 * reopened → open. An alert's later events find its leak through the alert number.
 * Each `X-GitHub-Delivery` is handled once (a redelivery answers 200 with the first answer and
 * `duplicate_delivery: true`); actions that change nothing answer `ignored`, events of an alert Leakwatch
 * never saw `unknown alert` (issue 10.1, 10.2).
 */
import { Controller, Headers, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { GITHUB_WEBHOOK_RESULT_SCHEMA, GITHUB_WEBHOOK_SECRET_SCHEMA } from './dto/ingest.openapi';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import type { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import { Caller, isGlobalRole } from '@leakwatch/authz';
import { CurrentCaller, Public, Roles } from '@leakwatch/auth';
import { FINDING_RESOLUTION_RECEIVED, FindingResolutionReceivedV1 } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';
import { exposureOf, GithubSecretScanningAlert, githubMaskedIdentity, ignoredGithubAction, parseGithubSecretScanningAlert, riskFor } from '@leakwatch/ingest/domain';
import { ApiProblems, CLOCK, Clock, findInputFault, PG_POOL, ProblemException } from '@leakwatch/runtime';
import { FindingIntake } from '../application/finding-intake';
import { GithubDeliveries } from '../application/github-deliveries';
import { WebhookSecrets } from '../application/webhook-secrets';
import { wholeBody } from '../application/report-reader';
import { readOrProblem } from './report-problems';

/** GitHub's resolutions → our statuses. `wont_fix` is an accepted risk: the leak stays open. */
export const RESOLUTION_STATUS: Record<string, 'fixed' | 'false_positive' | null> = {
  revoked: 'fixed',
  false_positive: 'false_positive',
  used_in_tests: 'false_positive',
  pattern_deleted: 'false_positive',
  pattern_edited: 'false_positive',
  wont_fix: null,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** GitHub's delivery ids are GUIDs; anything id-like and short is accepted, anything else named in a 400. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;

@ApiTags('ingest')
@Controller('api/v1/ingest/github')
export class GithubWebhookController {
  constructor(
    private readonly intake: FindingIntake,
    private readonly secrets: WebhookSecrets,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly deliveries: GithubDeliveries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('secret')
  @ApiSecurity('api-key')
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'Create (or replace) the organisation’s GitHub webhook secret; shown once' })
  @ApiQuery({ name: 'org_id', required: false, description: 'Global keys: which organisation', schema: { type: 'string', format: 'uuid' } })
  @ApiCreatedResponse({ schema: GITHUB_WEBHOOK_SECRET_SCHEMA })
  @ApiProblems(403)
  async rotateSecret(@CurrentCaller() caller: Caller, @Query('org_id') orgId: string | undefined, @Res({ passthrough: true }) res: Response) {
    const org = isGlobalRole(caller.role) ? orgId : caller.orgId;
    if (!org || !UUID.test(org)) throw new ProblemException(400, 'org-id-required', 'Invalid request', 'Global keys must pass ?org_id=<organisation>.');
    if (!isGlobalRole(caller.role) && orgId && orgId !== caller.orgId) throw new ProblemException(403, 'foreign-organization', 'Forbidden', 'A key acts on its own organisation only.');
    const secret = await this.secrets.rotate(org);
    res.status(201);
    return { org_id: org, secret, webhook_path: `/api/v1/ingest/github?org_id=${org}`, content_type: 'application/json', events: ['secret_scanning_alert'] };
  }

  @Post()
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'GitHub secret_scanning_alert webhook (signed with the organisation’s webhook secret)' })
  @ApiQuery({ name: 'org_id', required: true, description: 'The organisation the webhook delivers to', schema: { type: 'string', format: 'uuid' } })
  @ApiHeader({ name: 'X-Hub-Signature-256', required: true, description: '`sha256=<HMAC-SHA256 of the body with the webhook secret, hex>`', schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' } })
  @ApiHeader({ name: 'X-GitHub-Event', required: true, description: 'secret_scanning_alert (ping is answered; other events are ignored)', schema: { type: 'string', examples: ['secret_scanning_alert', 'ping'] } })
  @ApiHeader({ name: 'X-GitHub-Delivery', required: false, description: 'The delivery GUID: each is handled once', schema: { type: 'string', pattern: '^[A-Za-z0-9-]{1,100}$' } })
  @ApiConsumes('application/json')
  @ApiBody({ description: 'GitHub’s secret_scanning_alert payload (at most 1 MiB)', schema: { type: 'object', properties: { action: { type: 'string', examples: ['created', 'resolved', 'reopened', 'validated'] }, alert: { type: 'object' }, repository: { type: 'object' } } } })
  @ApiAcceptedResponse({ description: 'Handled', schema: GITHUB_WEBHOOK_RESULT_SCHEMA, example: { action: 'created', leakid: 'b3652f2555841f7652badd9804859f4e', duplicates: 0 } })
  @ApiOkResponse({ description: 'A redelivery of a delivery already handled: its first answer, nothing done again', schema: GITHUB_WEBHOOK_RESULT_SCHEMA })
  @ApiProblems(401, 409)
  async receive(
    @Query('org_id') orgId: string | undefined,
    @Headers('x-hub-signature-256') signature: string | undefined,
    @Headers('x-github-event') githubEvent: string | undefined,
    @Headers('x-github-delivery') deliveryId: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const body = await readOrProblem(wholeBody(req.raw, 1024 * 1024)); // the raw bytes: the signature is over them
    // Unknown org, no secret, bad signature: one answer, so nothing can be probed.
    if (!orgId || !UUID.test(orgId) || !(await this.secrets.verify(orgId, body, signature))) {
      throw new ProblemException(401, 'invalid-signature', 'Unauthorized', 'X-Hub-Signature-256 does not match the organisation’s webhook secret.');
    }
    if (deliveryId !== undefined && !DELIVERY_ID.test(deliveryId)) {
      const message = 'X-GitHub-Delivery must be the delivery GUID GitHub sends (letters, digits and dashes, at most 100)';
      throw new ProblemException(400, 'invalid-delivery-id', 'Invalid request', message, { errors: [{ field: 'X-GitHub-Delivery', message }] });
    }
    if (githubEvent === 'ping') return { ok: true };
    if (githubEvent !== 'secret_scanning_alert') return { ignored: githubEvent ?? 'unknown event' };
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ProblemException(400, 'malformed-report', 'Invalid request', 'The webhook body is not valid JSON.');
    }
    const fault = findInputFault(payload); // NUL / lone surrogates cannot be stored: a 400, not a 500
    if (fault) throw new ProblemException(400, 'malformed-report', 'Invalid request', `${fault.field} ${fault.message}`, { errors: [fault] });
    const ignored = ignoredGithubAction(payload);
    if (ignored) return { action: ignored.action, status: 'ignored', reason: ignored.reason };
    const alert = parseGithubSecretScanningAlert(payload);
    if ('error' in alert) throw new ProblemException(400, 'malformed-report', 'Invalid request', alert.error);

    const outcome = await this.deliveries.once(orgId, deliveryId, () => this.apply(orgId, alert));
    if (outcome.duplicate === 'in_progress') {
      throw new ProblemException(409, 'delivery-in-progress', 'Conflict', `Delivery ${deliveryId} is being handled right now; redeliver it later if it does not show.`);
    }
    if (!outcome.duplicate) return outcome.answer;
    res.status(200); // nothing accepted now: the first delivery already was
    return { ...outcome.answer, duplicate_delivery: true, delivery_id: deliveryId, detail: 'this delivery was already handled; nothing was done again' };
  }

  /** One alert event → a finding, a status decision, or nothing; the answer says which. */
  private async apply(orgId: string, alert: GithubSecretScanningAlert): Promise<Record<string, unknown>> {
    const caller: Caller = { keyId: 'github-webhook', role: 'admin', orgId, verifiedDomains: [] };
    const known = await this.alertLeak(orgId, alert.repository, alert.alertNumber);
    // GitHub creates an alert once: a second `created` is a redelivery (maybe from before delivery ids were
    // kept), not a new sighting — it must not reopen a leak fixed since.
    if (alert.action === 'created' && known) return { action: alert.action, leakid: known, status: 'known alert', duplicates: 1 };
    if (alert.action === 'created' || alert.action === 'validated') {
      const finding = { ...alert.finding, verified: alert.validity === 'active' ? true : alert.finding.verified };
      const batch = this.intake.begin(caller);
      const added = batch.add({
        ...finding,
        risk: riskFor({ secretType: finding.secretType, kind: finding.kind, verified: finding.verified, exposure: exposureOf(finding) }),
      });
      const leakid = known ?? added.leakid;
      if (known && known !== added.leakid) added.leakid = known; // the alert's leak, even if GitHub stops sending the secret
      const result = await this.intake.commit(batch);
      await this.rememberAlert(orgId, alert.repository, alert.alertNumber, leakid);
      return { action: alert.action, leakid, duplicates: result.duplicates };
    }
    const leakid = known ?? this.maskedLeakId(caller, alert.repository, alert.alertNumber);
    if (!known && !(await this.leakIngested(leakid))) {
      // Nothing to resolve or reopen: say so rather than report a status nothing has.
      return { action: alert.action, status: 'unknown alert', repository: alert.repository, alert_number: alert.alertNumber };
    }
    const status = alert.action === 'reopened' ? 'open' : RESOLUTION_STATUS[alert.resolution ?? 'revoked'] ?? null;
    if (!status) return { action: alert.action, leakid, status: 'unchanged', reason: alert.resolution };
    const resolution: FindingResolutionReceivedV1 = {
      leakid, status, reason: alert.action === 'reopened' ? 'reopened' : (alert.resolution ?? 'resolved'),
      source: alert.finding.source, reported_at: this.clock().toISOString(),
    };
    await this.store.appendToStream(`finding-${randomUUID()}`, [{ id: randomUUID(), type: FINDING_RESOLUTION_RECEIVED, data: resolution, metadata: { occurred_at: resolution.reported_at, actor: { key_id: 'github-webhook', org_id: orgId, role: 'integration' } } }], { expectedRevision: 'no_stream' });
    return { action: alert.action, leakid, status };
  }

  private maskedLeakId(caller: Caller, repository: string, alertNumber: number): string {
    const batch = this.intake.begin(caller);
    return batch.add({ kind: 'token', secret: null, secretType: 'unknown', source: { name: 'github' }, maskedIdentity: githubMaskedIdentity(repository, alertNumber), risk: 'low' }).leakid;
  }

  private async leakIngested(leakid: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM ingest_leaks WHERE leakid = $1`, [leakid]);
    return !!rowCount;
  }

  private async alertLeak(orgId: string, repository: string, alertNumber: number): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ leakid: string }>(`SELECT leakid FROM ingest_github_alerts WHERE org_id = $1 AND repository = $2 AND alert_number = $3`, [orgId, repository, alertNumber]);
    return rows[0]?.leakid;
  }

  private async rememberAlert(orgId: string, repository: string, alertNumber: number, leakid: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ingest_github_alerts (org_id, repository, alert_number, leakid) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [orgId, repository, alertNumber, leakid],
    );
  }
}
