/**
 * Prints the plain closing line CI reads ("N passed, N failed"); vitest's own summary is
 * formatted for people, not for a parser. Failed tests are named on lines starting "FAILED:" just
 * before it, so a log kept only by its tail still says what failed.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const failures: string[] = [];
    for (const module of testModules) {
      const file = relative(process.cwd(), module.moduleId);
      // A file that fails to load has no tests to count, but it is a failure all the same.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) {
        failed++;
        failures.push(`${file} (did not load): ${firstLine(module.errors()[0]?.message)}`);
      }
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') {
          failed++;
          failures.push(`${file} > ${test.fullName}: ${firstLine(result.errors?.[0]?.message)}`);
        } else skipped++;
      }
    }
    failed += unhandledErrors.length;
    for (const error of unhandledErrors) {
      failures.push(`unhandled error: ${firstLine(messageOf(error))}`);
    }
    for (const failure of failures) console.log(`FAILED: ${failure}`);
    console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  }
}

/**
 * An unhandled error's message. Vitest hands them over serialized: plain objects, some without a
 * prototype (a driver's error with `code` and `address`), which String() cannot convert — the
 * reporter then threw and the closing line was never printed.
 */
function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    const { message, name } = error as { message?: unknown; name?: unknown };
    if (typeof message === 'string') return typeof name === 'string' ? `${name}: ${message}` : message;
    try {
      return JSON.stringify(error);
    } catch {
      return 'an error that cannot be printed';
    }
  }
  return String(error);
}

function firstLine(message: string | undefined): string {
  return (message ?? 'no message').split('\n')[0]!.slice(0, 300);
}
