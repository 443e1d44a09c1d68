// A node:test reporter that only counts: writes {"passed","failed","skipped","failedNames"} as JSON to its
// destination when the run ends (test/e2e/run.mjs prints the closing "N passed, N failed" line from it).
export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, failedNames: [] };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip || event.data.todo) counts.skipped += 1;
    else if (event.type === 'test:pass') counts.passed += 1;
    else {
      counts.failed += 1;
      counts.failedNames.push(event.data.name);
    }
  }
  yield `${JSON.stringify(counts)}\n`;
}
