/**
 * `reporters: ['default', 'jest-environment-leakwatch/reporter']`: at the end of the run, a
 * short leak summary in the terminal, and `<outputDir>/report.json` and `report.html`.
 * Options: `outputDir` (default: the first project's leakwatch outputDir, `.leakwatch` under
 * rootDir), `growthThreshold` (default 16MB: a file whose tests together left more live heap
 * than this, none of them failing, is named in the summary).
 * The environments write one record per test file (report/file-record.ts); this collects them as Jest
 * reports each file. A reporter must never fail the run: problems are printed, not thrown.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LeakwatchConfigError } from '../core/config-error';
import { outputDirOf } from '../core/config-parser';
import { relativeTestFile } from '../report/baseline';
import { errorMessage } from '../core/errors';
import { takeRecord, type RetainedFileRecord } from '../report/file-record';
import { parseBytes } from '../core/units';
import { buildReport, fileFromRecord, type ReportedFile, type RunReport } from '../report/run-report';
import { summaryText } from '../report/summary';
import { writeReport } from '../report/write-report';

interface JestTest {
  path: string;
  context: { config: { rootDir: string; testEnvironmentOptions?: Record<string, unknown> } };
}

interface JestTestResult {
  testFilePath: string;
  testResults: Array<{ fullName: string; status: string }>;
}

interface GlobalConfig {
  rootDir: string;
  shard?: { shardIndex: number; shardCount: number } | null;
}

const KNOWN_OPTIONS = ['outputDir', 'growthThreshold'];
// Clean fixture files read from -10 MB to +4.5 MB (one-time work after the first test, Jest
// freeing the previous file's environment late): docs/report.md.
export const DEFAULT_GROWTH_THRESHOLD = 16 * 1024 * 1024;

export default class LeakwatchReporter {
  private readonly outputDir: string | null;
  private readonly growthThreshold: number;
  private startedAt = Date.now();
  private files: ReportedFile[] = [];
  private retained: RetainedFileRecord[] = [];
  private firstOutputDir: string | null = null;

  constructor(
    private readonly globalConfig: GlobalConfig,
    options: Record<string, unknown> = {},
  ) {
    for (const key of Object.keys(options ?? {})) {
      if (!KNOWN_OPTIONS.includes(key)) {
        throw new LeakwatchConfigError(
          `unknown option "${key}" of jest-environment-leakwatch/reporter; allowed: ${KNOWN_OPTIONS.join(', ')}.`,
        );
      }
    }
    this.outputDir = typeof options.outputDir === 'string' ? path.resolve(globalConfig.rootDir, options.outputDir) : null;
    const growth = options.growthThreshold ?? DEFAULT_GROWTH_THRESHOLD;
    const parsed = parseBytes(growth);
    if (parsed === undefined) {
      throw new LeakwatchConfigError(
        `jest-environment-leakwatch/reporter option growthThreshold is ${JSON.stringify(growth)}; allowed: a size in bytes or a string like '4MB'.`,
      );
    }
    this.growthThreshold = parsed;
  }

  onRunStart(): void {
    this.startedAt = Date.now();
    this.files = [];
    this.retained = [];
  }

  onTestFileResult(test: JestTest, result: JestTestResult): void {
    try {
      const { rootDir } = test.context.config;
      const options = test.context.config.testEnvironmentOptions?.leakwatch;
      const outputDir = outputDirOf(options, rootDir);
      this.firstOutputDir ??= outputDir;
      const record = takeRecord(outputDir, test.path, this.startedAt);
      this.retained.push(...(record?.retainedFiles ?? []));
      const statuses = new Map(result.testResults.map((t) => [t.fullName, t.status]));
      this.files.push(fileFromRecord(relativeTestFile(rootDir, test.path), record, statuses, [...statuses.keys()]));
    } catch (error) {
      process.stderr.write(`leakwatch reporter: could not read the record of ${test.path}: ${errorMessage(error)}\n`);
    }
  }

  async onRunComplete(): Promise<void> {
    const outputDir = this.outputDir ?? this.firstOutputDir ?? path.join(this.globalConfig.rootDir, '.leakwatch');
    const shard = this.globalConfig.shard ? `${this.globalConfig.shard.shardIndex}/${this.globalConfig.shard.shardCount}` : null;
    // In band, this process ran the files: the last ones are looked at here.
    this.retained.push(...(await retainedInThisProcess()));
    const report = buildReport(this.files, {
      versions: versions(),
      shards: [shard],
      growthThreshold: this.growthThreshold,
      retained: this.retained,
    });
    const written: string[] = [];
    try {
      written.push(...writeReport(outputDir, report));
    } catch (error) {
      process.stderr.write(`leakwatch reporter: could not write the report to ${outputDir}: ${errorMessage(error)}\n`);
    }
    try {
      // Empty once every file's record was read.
      fs.rmdirSync(path.join(outputDir, 'records'));
    } catch {
      // Records of files Jest did not report (a crashed worker) stay for a person to look at.
    }
    process.stderr.write(summaryText(report, written.map(displayPath)));
  }

  getLastError(): Error | undefined {
    return undefined;
  }
}

/** In band, the files of this process not freed yet: printed as the environment would at exit. */
async function retainedInThisProcess(): Promise<RetainedFileRecord[]> {
  try {
    const { retainedAtEnd, printRetained, retainedRecord } = await import('./retention');
    const found = await retainedAtEnd();
    printRetained(found);
    return found.map(retainedRecord);
  } catch (error) {
    process.stderr.write(`leakwatch reporter: could not check for environments not freed: ${errorMessage(error)}\n`);
    return [];
  }
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function versions(): RunReport['versions'] {
  const own = readVersion(path.join(__dirname, '..', '..', 'package.json'));
  let jest: string | null = null;
  try {
    jest = readVersion(require.resolve('jest/package.json', { paths: [process.cwd()] }));
  } catch {
    // Jest run from elsewhere: the version stays unknown.
  }
  return { leakwatch: own ?? 'unknown', node: process.version, jest };
}

function readVersion(packageJson: string): string | null {
  const { version } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : null;
}
