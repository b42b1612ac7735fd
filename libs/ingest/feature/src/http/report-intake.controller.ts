/**
 * Scanner reports: gitleaks (JSON, v8 and v7 keys), TruffleHog v3 (NDJSON), SARIF 2.1.0 (gitleaks,
 * secretlint — masked results become non-blockable leaks). Bad records are listed by index and reason;
 * the good ones are kept. 202 = every accepted finding is durably stored.
 */
import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { REPORT_INTAKE_EXAMPLE, REPORT_INTAKE_RESULT_SCHEMA } from './dto/ingest.openapi';
import type { FastifyRequest as Request } from 'fastify';
import type { Caller } from '@leakwatch/authz';
import { CurrentCaller, Roles } from '@leakwatch/auth';
import { ParsedReport, RawFinding, ReportFormatError, exposureOf, parseGitleaks, parseSarif, parseTrufflehog, riskFor } from '@leakwatch/ingest/domain';
import { ApiProblems, LEAKWATCH_CONFIG, LeakwatchConfig, findInputFault } from '@leakwatch/runtime';
import { FindingIntake } from '../application/finding-intake';
import { readOrProblem, reportProblem } from './report-problems';
import { ReportLimits, eachJsonArrayElement, eachLine, wholeJson } from '../application/report-reader';

type Rejection = { index: number; error: string };

@ApiTags('ingest')
@ApiSecurity('api-key')
@Controller('api/v1/ingest')
export class ReportIntakeController {
  // LEAKWATCH_INGEST_MAX_BYTES / _RECORDS, validated at start-up (a non-number refuses to start, never disables the cap).
  private readonly limits: ReportLimits;

  constructor(private readonly intake: FindingIntake, @Inject(LEAKWATCH_CONFIG) config: LeakwatchConfig) {
    this.limits = { maxBytes: config.ingest.maxBytes, maxRecords: config.ingest.maxRecords };
  }

  @Post('gitleaks')
  @HttpCode(202)
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'A gitleaks JSON report (array of findings, v8 or v7 keys); streamed' })
  @ApiConsumes('application/json')
  @ApiBody({ schema: { type: 'array', items: { type: 'object', description: 'A gitleaks finding (RuleID, Secret, File, …)' } }, examples: { report: { value: [{ RuleID: 'github-pat', Secret: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', File: 'config.yml', StartLine: 3, Commit: 'a1b2c3' }] } } })
  @ApiAcceptedResponse({ description: 'Every accepted finding is durably stored', schema: REPORT_INTAKE_RESULT_SCHEMA, example: REPORT_INTAKE_EXAMPLE })
  @ApiProblems(403, 413)
  async gitleaks(@CurrentCaller() caller: Caller, @Req() req: Request) {
    const batch = this.intake.begin(caller);
    const rejected: Rejection[] = [];
    await readOrProblem(
      eachJsonArrayElement(req.raw, this.limits, declaredLength(req), (record, index) => {
        this.take(parseGitleaks([record]), index, batch, rejected);
        return batch.pressure(); // staged chunks still being written: read on after them (flat memory)
      }),
    );
    return this.finish(batch, rejected);
  }

  @Post('trufflehog')
  @HttpCode(202)
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'A TruffleHog v3 --json report (one JSON object per line); streamed. Index = non-blank line number from 0' })
  @ApiConsumes('application/x-ndjson')
  @ApiBody({ schema: { type: 'string', description: 'NDJSON: one TruffleHog v3 finding (JSON object) per line' }, examples: { report: { value: '{"DetectorName":"Github","Raw":"ghp_0123456789abcdefghijklmnopqrstuvwxyzAB","Verified":true,"SourceMetadata":{"Data":{"Git":{"file":"a.txt","line":1}}}}\n' } } })
  @ApiAcceptedResponse({ description: 'Every accepted finding is durably stored', schema: REPORT_INTAKE_RESULT_SCHEMA, example: REPORT_INTAKE_EXAMPLE })
  @ApiProblems(403, 413)
  async trufflehog(@CurrentCaller() caller: Caller, @Req() req: Request) {
    const batch = this.intake.begin(caller);
    const rejected: Rejection[] = [];
    await readOrProblem(
      eachLine(req.raw, this.limits, declaredLength(req), (line, index) => {
        this.take(parseTrufflehog(line), index, batch, rejected);
        return batch.pressure();
      }),
    );
    return this.finish(batch, rejected);
  }

  @Post('sarif')
  @HttpCode(202)
  @Roles('global_admin', 'admin')
  @ApiOperation({ summary: 'A SARIF 2.1.0 report (gitleaks --report-format sarif, secretlint SARIF formatter)' })
  @ApiConsumes('application/json', 'application/sarif+json')
  @ApiBody({ schema: { type: 'object', description: 'A SARIF 2.1.0 log', properties: { version: { type: 'string', enum: ['2.1.0'] }, runs: { type: 'array', items: { type: 'object' } } } }, examples: { sarif: { value: { version: '2.1.0', runs: [{ tool: { driver: { name: 'gitleaks' } }, results: [] }] } } } })
  @ApiAcceptedResponse({ description: 'Every accepted finding is durably stored', schema: REPORT_INTAKE_RESULT_SCHEMA, example: REPORT_INTAKE_EXAMPLE })
  @ApiProblems(403, 413)
  async sarif(@CurrentCaller() caller: Caller, @Req() req: Request) {
    const document = await readOrProblem(wholeJson(req.raw, this.limits, declaredLength(req)));
    let parsed: ParsedReport;
    try {
      parsed = parseSarif(document);
    } catch (error) {
      if (error instanceof ReportFormatError) throw reportProblem({ refusal: 'malformed', detail: error.message });
      throw error;
    }
    if (parsed.findings.length + parsed.rejected.length > this.limits.maxRecords) throw reportProblem({ refusal: 'too_many_records', maxRecords: this.limits.maxRecords });
    const batch = this.intake.begin(caller);
    const rejected: Rejection[] = [...parsed.rejected];
    for (const { finding, index } of parsed.findings) addStorable(finding, index, batch, rejected);
    return this.finish(batch, rejected.sort((a, b) => a.index - b.index));
  }

  /** One record's parse result (indices inside are 0: re-number them with the record's own index). */
  private take(parsed: ParsedReport, index: number, batch: ReturnType<FindingIntake['begin']>, rejected: Rejection[]): void {
    for (const r of parsed.rejected) rejected.push({ index, error: r.error });
    for (const { finding } of parsed.findings) addStorable(finding, index, batch, rejected);
  }

  private async finish(batch: ReturnType<FindingIntake['begin']>, rejected: Rejection[]) {
    // The index is its own field: drop the parsers' "record 3: " / "line 3: " / "result 3: " prefix.
    rejected = rejected.map((r) => ({ index: r.index, error: r.error.replace(/^(record|line|result) \d+:\s*/, '') }));
    const result = batch.size ? await this.intake.commit(batch) : { batch_id: batch.batchId, created: 0, duplicates: 0 };
    return { batch_id: result.batch_id, accepted: batch.size, duplicates: result.duplicates, rejected };
  }
}

/** A finding with text PostgreSQL cannot store (NUL, lone surrogates) is that record's rejection, not a 500. */
function addStorable(finding: RawFinding, index: number, batch: ReturnType<FindingIntake['begin']>, rejected: Rejection[]): void {
  const input = toInput(finding);
  const fault = findInputFault(input, 'record');
  if (fault) rejected.push({ index, error: `${fault.field === 'secret' ? 'the secret' : fault.field} ${fault.message}` });
  else batch.add(input);
}

function toInput(finding: RawFinding) {
  return {
    kind: finding.kind,
    secret: finding.secret,
    secretType: finding.secretType,
    identity: finding.identity,
    site: finding.site,
    location: finding.location,
    source: finding.source,
    maskedIdentity: finding.maskedIdentity,
    risk: riskFor({ secretType: finding.secretType, kind: finding.kind, verified: finding.verified, exposure: exposureOf(finding) }),
  };
}

function declaredLength(req: Request): number | undefined {
  const header = req.headers['content-length'];
  return header ? Number(header) : undefined;
}
