/**
 * The dashboards of `npm run abuse`, in a process of their own (real dashboards are other
 * machines; sharing the attackers' event loop would add the generator's own delays to their
 * latency). Arguments: url count pauseMs startAt(epoch ms) warmupMs phaseMs; prints the two
 * summaries as JSON.
 */
import { dashboardPhases } from './run.ts';

const [url, count, pauseMs, startAt, warmupMs, phaseMs] = process.argv.slice(2);
if (!url || !count || !pauseMs || !startAt || !warmupMs || !phaseMs) {
  throw new Error('usage: dashboards.ts url count pauseMs startAt warmupMs phaseMs');
}
const result = await dashboardPhases(url, Number(count), Number(pauseMs), Number(startAt), Number(warmupMs), Number(phaseMs));
process.stdout.write(JSON.stringify(result));
