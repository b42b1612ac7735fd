/**
 * Report refusals → HTTP problems: the only place that knows both. Exhaustive by refusal, so a new refusal
 * does not compile until it has an answer here.
 */
import { ProblemException } from '@leakwatch/runtime';
import { ReportRefusal, ReportRefused } from '../application/report-reader';

type Refusal<K extends ReportRefusal['refusal']> = Extract<ReportRefusal, { refusal: K }>;

const PROBLEMS: { [K in ReportRefusal['refusal']]: (refusal: Refusal<K>) => ProblemException } = {
  too_large: ({ maxBytes }) =>
    new ProblemException(413, 'report-too-large', 'Payload too large', `The report is larger than ${maxBytes} bytes (LEAKWATCH_INGEST_MAX_BYTES).`),
  too_many_records: ({ maxRecords }) =>
    new ProblemException(400, 'too-many-records', 'Invalid request', `The report has more than ${maxRecords} records (LEAKWATCH_INGEST_MAX_RECORDS); split it.`),
  malformed: ({ detail }) => new ProblemException(400, 'malformed-report', 'Invalid request', detail),
};

export function reportProblem(refusal: ReportRefusal): ProblemException {
  return (PROBLEMS[refusal.refusal] as (r: ReportRefusal) => ProblemException)(refusal);
}

/** Awaits reading a report; a refusal comes out as its problem, anything else unchanged. */
export async function readOrProblem<T>(reading: Promise<T>): Promise<T> {
  try {
    return await reading;
  } catch (error) {
    throw error instanceof ReportRefused ? reportProblem(error.reason) : error;
  }
}
