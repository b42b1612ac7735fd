/**
 * The consumer side of `leakwatch.findings.v1` (leak-lifecycle reads it): tolerant readers that check the
 * required fields, ignore extra ones and answer undefined for anything that is not the contract.
 */
import type { FindingReceivedV1, FindingResolutionReceivedV1 } from './finding-events.v1';
import { isObject, isString, isTime, readLocation, readSource, stringOrNull } from './reader-guards';
import { isLeakId, isLeakStatus, isRisk } from './vocabulary';

export function readFindingReceivedV1(data: unknown): FindingReceivedV1 | undefined {
  if (!isObject(data) || !isLeakId(data.leakid) || !isString(data.finding_id) || !isTime(data.found_at)) return undefined;
  const source = readSource(data.source);
  if (!source || !isRisk(data.risk) || (data.kind !== 'token' && data.kind !== 'credential') || !isString(data.secret_type)) return undefined;
  return {
    finding_id: data.finding_id, leakid: data.leakid, kind: data.kind, secret_type: data.secret_type, fingerprint: stringOrNull(data.fingerprint),
    preview: isString(data.preview) ? data.preview : '',
    identity: isObject(data.identity) ? { email: stringOrNull(data.identity.email), username: stringOrNull(data.identity.username) } : null,
    site: isObject(data.site) ? { url: stringOrNull(data.site.url), domain: stringOrNull(data.site.domain) } : null,
    org_id: stringOrNull(data.org_id), source, risk: data.risk, blockable: data.blockable === true, location: readLocation(data.location),
    found_at: data.found_at, batch_id: stringOrNull(data.batch_id),
  };
}

export function readFindingResolutionV1(data: unknown): FindingResolutionReceivedV1 | undefined {
  if (!isObject(data) || !isLeakId(data.leakid) || !isLeakStatus(data.status) || !isTime(data.reported_at)) return undefined;
  const source = readSource(data.source);
  if (!source) return undefined;
  return { leakid: data.leakid, status: data.status, reason: isString(data.reason) ? data.reason : '', source, reported_at: data.reported_at };
}
