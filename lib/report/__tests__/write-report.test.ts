import * as fs from 'node:fs';
import * as path from 'node:path';
import { reportHtml } from '../html';
import { writeReport } from '../write-report';
import { report, reportedFile, reportedTest, temporaryDir } from './fixtures';

const dir = temporaryDir();
const runReport = report([reportedFile({ tests: [reportedTest({ name: 'ok' })] })]);

describe('writeReport', () => {
  test('writes report.json and report.html into the folder, creating it, and returns their paths', () => {
    const outputDir = path.join(dir(), 'nested', '.leakwatch');
    expect(writeReport(outputDir, runReport)).toEqual([path.join(outputDir, 'report.json'), path.join(outputDir, 'report.html')]);
    expect(fs.readdirSync(outputDir).sort()).toEqual(['report.html', 'report.json']);
  });

  test('report.json is the report as indented JSON', () => {
    writeReport(dir(), runReport);
    expect(fs.readFileSync(path.join(dir(), 'report.json'), 'utf8')).toBe(`${JSON.stringify(runReport, null, 2)}\n`);
  });

  test('report.html is the page rendered for that folder', () => {
    writeReport(dir(), runReport);
    expect(fs.readFileSync(path.join(dir(), 'report.html'), 'utf8')).toBe(reportHtml(runReport, dir()));
  });

  test('both files are readable by their owner only, in a folder only its owner can enter', () => {
    const outputDir = path.join(dir(), 'out');
    writeReport(outputDir, runReport);
    expect(fs.statSync(outputDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(outputDir, 'report.json')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(outputDir, 'report.html')).mode & 0o777).toBe(0o600);
  });
});
