/** The run report's files: report.json and report.html, readable by their owner only. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { reportHtml } from './html';
import type { RunReport } from './run-report';

/** Writes report.json and report.html into `outputDir`; returns their paths. */
export function writeReport(outputDir: string, report: RunReport): string[] {
  fs.mkdirSync(outputDir, { recursive: true, mode: 0o700 });
  const json = path.join(outputDir, 'report.json');
  const html = path.join(outputDir, 'report.html');
  fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
  fs.writeFileSync(html, reportHtml(report, outputDir), { mode: 0o600 });
  return [json, html];
}
