/**
 * The file's end (run_finish): earlier files still retained, what the file's own code left
 * open, the probes' last findings, the warnings and the report's record.
 */
import type { Circus } from '@jest/types';
import { errorMessage } from '../core/errors';
import { debugEnabled, probeStatsLines } from './debug';
import type { SessionState } from './session-state';

export async function finishRun(session: SessionState, state: Circus.State): Promise<void> {
  await reportRetainedEarlierFiles(session);
  await finishFileWindow(session, state);
  await finishFile(session);
}

/**
 * What the file's own code left open, judged after its last afterAll hook. A failure goes
 * where jest-circus puts an afterAll hook's error: the file fails, every test keeps its result.
 */
async function finishFileWindow(session: SessionState, state: Circus.State): Promise<void> {
  for (const probe of session.probes) {
    const finding = await probe.finishFileWindow?.();
    if (finding) session.sink.fileFinding(state, finding);
  }
}

/** Earlier files of this process whose environment is still alive: printed, and kept in this file's record. */
async function reportRetainedEarlierFiles(session: SessionState): Promise<void> {
  const records = await session.retention?.reportEarlierFiles(session.env.global);
  if (records) session.recordWriter?.retained(records);
}

async function finishFile(session: SessionState): Promise<void> {
  const { sink, recordWriter } = session;
  for (const probe of session.probes) {
    for (const { test, finding } of probe.finishFile()) {
      const entry = session.testsById.get(test.id);
      if (entry) sink.testFinding(entry, test, finding);
    }
  }
  for (const probe of session.userProbes) for (const problem of probe.takeProblems()) sink.warn(problem);
  if (debugEnabled())
    for (const line of [...probeStatsLines(session.probes), session.retention?.retentionStats() ?? '']) if (line) sink.warn(line);
  if (session.skippedConcurrent > 0) {
    sink.warn(`${session.skippedConcurrent} concurrent test(s) not measured: they overlap in time, so per-test numbers mean nothing`);
  }
  if (recordWriter) {
    try {
      await recordWriter.finish(sink.forRecord());
    } catch (error) {
      sink.warn(`the report record for this file could not be written (${errorMessage(error)}); the reporter will list it as not measured`);
    }
  }
  sink.print();
}
