// Loads a report.html in Debian's headless Chromium and prints what a person would see, as
// JSON: chart points, leak rows, the table after a click on "Check", and any console error,
// page error or network request. Saves a screenshot. ESM: puppeteer-core ships only ESM.
// usage: node load-report-html.mjs <report.html> <screenshot.png>
import puppeteer from 'puppeteer-core';

const [htmlFile, screenshot] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`);
  });
  await page.goto(`file://${htmlFile}`, { waitUntil: 'load' });
  const points = await page.$$eval('svg#chart circle.point', (circles) => circles.length);
  const checks = () => page.$$eval('#leaks tbody tr td:nth-child(3)', (cells) => cells.map((cell) => cell.textContent));
  const bySize = await checks();
  await page.click('#leaks th[data-key="check"]');
  const byCheck = await checks();
  await page.screenshot({ path: screenshot, fullPage: true });
  process.stdout.write(JSON.stringify({ points, bySize, byCheck, problems }));
} finally {
  await browser.close();
}
